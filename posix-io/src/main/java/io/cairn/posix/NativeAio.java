package io.cairn.posix;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;

/**
 * A {@link WriteBatch}'s writes through Linux's native AIO ({@code io_setup}, {@code io_submit},
 * {@code io_getevents}): one system call hands the kernel every write of the batch, and one more
 * collects their results. On a file opened without O_DIRECT the kernel makes each write inside
 * {@code io_submit}, as the same {@code pwrite} would (a buffered write does not wait for the disk),
 * so the results are there when it returns. Why not io_uring: it hands buffered writes to worker
 * threads (a context switch per write, measured with fio on this project's machine).
 *
 * <p>The structures are the kernel's ({@code include/uapi/linux/aio_abi.h}), the same on x86_64 and
 * aarch64 (little-endian, 64-bit):
 * <pre>
 * struct iocb (64 bytes)          struct io_event (32 bytes)
 *   0 u64 aio_data                  0 u64 data (our aio_data: the write's index)
 *   8 u32 aio_key, 12 aio_rw_flags  8 u64 obj
 *  16 u16 aio_lio_opcode           16 s64 res  (bytes written, or -errno)
 *  18 s16 aio_reqprio              24 s64 res2
 *  20 u32 aio_fildes
 *  24 u64 aio_buf
 *  32 u64 aio_nbytes
 *  40 s64 aio_offset
 *  48 u64 aio_reserved2, 56 u32 aio_flags, 60 u32 aio_resfd
 * </pre>
 * Not thread safe: its batch's owner uses it.
 */
@SuppressWarnings("restricted")
final class NativeAio implements AutoCloseable {
    private static final long IOCB_BYTES = 64;
    private static final long EVENT_BYTES = 32;
    private static final short IOCB_CMD_PWRITE = 1;

    private final long context;
    private final int capacity;
    private final MemorySegment iocbs;
    private final MemorySegment iocbPointers;
    private final MemorySegment events;
    private boolean closed;

    private NativeAio(long context, int capacity) {
        this.context = context;
        this.capacity = capacity;
        Arena arena = Arena.ofAuto();
        this.iocbs = arena.allocate(IOCB_BYTES * capacity, 8);
        this.iocbPointers = arena.allocate(8L * capacity, 8);
        this.events = arena.allocate(EVENT_BYTES * capacity, 8);
        for (int i = 0; i < capacity; i++) {
            iocbPointers.setAtIndex(ValueLayout.JAVA_LONG, i, iocbs.address() + IOCB_BYTES * i);
        }
    }

    /** A context for up to {@code capacity} writes in flight, or null where the kernel gives none (errno in the state). */
    static NativeAio setUp(int capacity) {
        MemorySegment state = NativePosix.CAPTURE_STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment contextOut = arena.allocate(ValueLayout.JAVA_LONG); // zeroed, as io_setup requires
            long rc = NativePosix.syscall(state, Syscall.IO_SETUP, capacity, contextOut.address(), 0, 0, 0, 0);
            return rc == 0 ? new NativeAio(contextOut.get(ValueLayout.JAVA_LONG, 0), capacity) : null;
        }
    }

    /**
     * Makes every write of {@code batch} (at most the capacity) on {@code file}. Every write the
     * kernel took is waited for; then the first failure, if any, is thrown. Writes {@code io_submit}
     * refused (it takes a prefix of the array) and the rest of short ones go one call each.
     */
    void write(OpenFile file, WriteBatch batch, Posix oneByOne) throws IOException {
        int count = batch.size();
        if (closed || count > capacity) {
            throw new IllegalStateException("an AIO context for " + capacity + " writes, closed " + closed + ", given " + count);
        }
        MemorySegment state = NativePosix.CAPTURE_STATE.get();
        for (int i = 0; i < count; i++) {
            long iocb = IOCB_BYTES * i;
            iocbs.set(ValueLayout.JAVA_LONG, iocb, i);
            iocbs.set(ValueLayout.JAVA_LONG, iocb + 8, 0L); // aio_key, aio_rw_flags
            iocbs.set(ValueLayout.JAVA_SHORT, iocb + 16, IOCB_CMD_PWRITE);
            iocbs.set(ValueLayout.JAVA_SHORT, iocb + 18, (short) 0); // aio_reqprio
            iocbs.set(ValueLayout.JAVA_INT, iocb + 20, file.descriptor());
            iocbs.set(ValueLayout.JAVA_LONG, iocb + 24, batch.address(i));
            iocbs.set(ValueLayout.JAVA_LONG, iocb + 32, batch.length(i));
            iocbs.set(ValueLayout.JAVA_LONG, iocb + 40, batch.fileOffset(i));
            iocbs.set(ValueLayout.JAVA_LONG, iocb + 48, 0L); // aio_reserved2
            iocbs.set(ValueLayout.JAVA_LONG, iocb + 56, 0L); // aio_flags, aio_resfd
        }
        int submitted = 0;
        try {
            while (submitted < count) {
                long n = NativePosix.syscall(state, Syscall.IO_SUBMIT, context, count - submitted,
                    iocbPointers.address() + 8L * submitted, 0, 0, 0);
                if (n > 0) {
                    submitted += (int) n;
                } else if (n == 0 || NativePosix.errno(state) != Errno.EINTR) {
                    break; // the kernel took no more: what is left goes one call each, below
                }
            }
            IOException failure = reap(state, file, batch, submitted, oneByOne);
            for (int i = submitted; i < count && failure == null; i++) {
                failure = writeRest(file, batch, i, 0, oneByOne);
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            Reference.reachabilityFence(batch); // it holds the buffers the kernel read from by address
        }
    }

    /** Waits for the {@code submitted} writes; returns the first failure (after finishing short writes), or null. */
    private IOException reap(MemorySegment state, OpenFile file, WriteBatch batch, int submitted, Posix oneByOne) {
        IOException failure = null;
        int reaped = 0;
        while (reaped < submitted) {
            long n = NativePosix.syscall(state, Syscall.IO_GETEVENTS, context, submitted - reaped, submitted - reaped,
                events.address(), 0, 0);
            if (n < 0) {
                if (NativePosix.errno(state) == Errno.EINTR) {
                    continue;
                }
                // Cannot happen with a valid context and buffer; if it did, the writes' fate is unknown.
                return PosixException.of(NativePosix.errno(state), "io_getevents", file.path());
            }
            for (int j = 0; j < n; j++) {
                int i = (int) events.get(ValueLayout.JAVA_LONG, EVENT_BYTES * j);
                long result = events.get(ValueLayout.JAVA_LONG, EVENT_BYTES * j + 16);
                IOException failed = result < 0 ? PosixException.of((int) -result, "pwrite (io_submit)", file.path())
                    : result < batch.length(i) ? writeRest(file, batch, i, result, oneByOne) : null;
                if (failure == null) {
                    failure = failed;
                }
            }
            reaped += (int) n;
        }
        return failure;
    }

    private static IOException writeRest(OpenFile file, WriteBatch batch, int i, long written, Posix oneByOne) {
        try {
            oneByOne.pwriteFully(file, batch.rest(i, written), batch.fileOffset(i) + written);
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            // Fails only for a context that is not ours; there is nothing left to do then.
            NativePosix.syscall(NativePosix.CAPTURE_STATE.get(), Syscall.IO_DESTROY, context, 0, 0, 0, 0, 0);
        }
    }
}
