package io.cairn.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Writes to one file, each of its own bytes at its own offset, queued to be made together by
 * {@link Posix#pwriteBatch}: the tree's commit queues its pages here. Each write stays a write of
 * its own (one page, if the caller queues pages), so what the kernel caches is what one-write-per-page
 * would cache; only the system calls are fewer (posix-io/README.md, "Writes in a batch").
 *
 * <p>Not thread safe: one owner fills and writes it (the tree's, under its writer lock). Reusable:
 * {@link Posix#pwriteBatch} empties it. {@link #close} frees what {@link NativePosix} set up for it (an
 * AIO context); the memory itself goes with the garbage collector.
 */
public final class WriteBatch implements AutoCloseable {
    private final int capacity;
    private final MemorySegment[] buffers;
    private final long[] offsetsInBuffer;
    private final long[] lengths;
    private final long[] fileOffsets;
    /** One iovec, for {@link Posix#pwriteBatch}'s default: a pwritev per write. */
    private final MemorySegment oneIovec = Arena.ofAuto().allocate(16L, 8);
    private int count;
    /** NativePosix's kernel AIO context for this batch, made at its first batch; null before, or where there is none. */
    NativeAio aio;
    /** NativePosix found no kernel AIO for this batch (io_setup refused): its writes go one call each. */
    boolean aioUnavailable;

    /** A batch that holds up to {@code capacity} writes; a full one is written before more are added. */
    public WriteBatch(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a write batch holds at least one write, not " + capacity);
        }
        this.capacity = capacity;
        this.buffers = new MemorySegment[capacity];
        this.offsetsInBuffer = new long[capacity];
        this.lengths = new long[capacity];
        this.fileOffsets = new long[capacity];
    }

    /**
     * Queues the write of {@code lengthBytes} of {@code buffer} (a native segment) from
     * {@code offsetInBuffer} at {@code fileOffset}. The buffer must not change until the batch is written.
     */
    public void add(MemorySegment buffer, long offsetInBuffer, long lengthBytes, long fileOffset) {
        if (count == capacity) {
            throw new IllegalStateException("the batch holds " + capacity + " writes already; write it first");
        }
        NativePosix.address(buffer); // a heap segment has no address the kernel could use
        if (offsetInBuffer < 0 || lengthBytes <= 0 || offsetInBuffer + lengthBytes > buffer.byteSize() || fileOffset < 0) {
            throw new IllegalArgumentException("a write of " + lengthBytes + " bytes from " + offsetInBuffer
                + " of a buffer of " + buffer.byteSize() + " at file offset " + fileOffset);
        }
        buffers[count] = buffer;
        offsetsInBuffer[count] = offsetInBuffer;
        lengths[count] = lengthBytes;
        fileOffsets[count] = fileOffset;
        count++;
    }

    public int size() {
        return count;
    }

    public int capacity() {
        return capacity;
    }

    public boolean isFull() {
        return count == capacity;
    }

    /** Forgets the queued writes and the buffers they held. */
    public void clear() {
        Arrays.fill(buffers, 0, count, null);
        count = 0;
    }

    /** Where write {@code i}'s bytes start in memory (its buffer was checked native by {@link #add}). */
    long address(int i) {
        return buffers[i].address() + offsetsInBuffer[i];
    }

    long length(int i) {
        return lengths[i];
    }

    long fileOffset(int i) {
        return fileOffsets[i];
    }

    /** Write {@code i} as one iovec (reused: valid until the next call). */
    MemorySegment iovec(int i) {
        oneIovec.set(ValueLayout.JAVA_LONG, 0, address(i));
        oneIovec.set(ValueLayout.JAVA_LONG, 8, lengths[i]);
        return oneIovec;
    }

    /** What is left of write {@code i} after its first {@code written} bytes. */
    MemorySegment rest(int i, long written) {
        return buffers[i].asSlice(offsetsInBuffer[i] + written, lengths[i] - written);
    }

    @Override
    public void close() {
        clear();
        if (aio != null) {
            aio.close();
            aio = null;
        }
    }
}
