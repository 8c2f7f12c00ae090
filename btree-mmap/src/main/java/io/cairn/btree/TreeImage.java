package io.cairn.btree;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A consistent image of one committed snapshot as a file, readable at any offset: exactly the bytes
 * {@link Env#backup} writes (the snapshot's meta in both slots, then its pages from the map up to its
 * high-water mark). A file holding these bytes opens with {@link Env#open} at this snapshot.
 *
 * <p>The image holds a reader slot for its snapshot's txid, as a read transaction does, so no page the
 * snapshot references is reused until {@link #close}. Unlike a {@link ReadTxn} it is not confined to the
 * thread that opened it: one thread at a time may read and close it (a transport's loop, say), handing it
 * on with the usual happens-before. The environment refuses to close while an image is open.
 *
 * <p>Pages the snapshot does not reference (those its freelist lists) are read as zeros. A later commit
 * may reuse and rewrite them at any time, so copying them from the map would make the image's bytes
 * depend on when they are read: a transfer that reads a range twice (a resend) and checks one checksum
 * over the whole image would then never see the same image twice.
 */
public final class TreeImage implements AutoCloseable {
    private static final long METAS_BYTES = 2L * Page.SIZE_BYTES;
    /**
     * How far ahead of a reader the kernel is asked to read (MADV_WILLNEED). The map is MADV_RANDOM,
     * right for the tree's lookups, but an image is read front to back (a snapshot save, a snapshot
     * to a follower): without this each 4 KiB page was one synchronous disk read, and a cold 6.7 GB
     * image streamed at 47 MB/s.
     */
    static final long READ_AHEAD_BYTES = 8L << 20;

    private final Env env;
    private final Meta meta;
    private final int readerSlot;
    private final MemorySegment metas;
    private final MemorySegment pages;
    private final long sizeBytes;
    /** The snapshot's free pages, sorted: read as zeros. */
    private final long[] freePgnos;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The end of the range the kernel was last asked to read ahead. */
    private long readAheadUntilBytes;

    TreeImage(Env env, Meta meta, int readerSlot) {
        this.env = env;
        this.meta = meta;
        this.readerSlot = readerSlot;
        this.metas = Arena.ofAuto().allocate(METAS_BYTES, Page.SIZE_BYTES);
        meta.encode(metas.asSlice(0, Page.SIZE_BYTES), 0);
        meta.encode(metas.asSlice(Page.SIZE_BYTES, Page.SIZE_BYTES), 1);
        this.pages = env.mapFor(meta);
        this.sizeBytes = meta.highWaterPages() << Page.SHIFT;
        // The freelist run is the snapshot's own (written before the image was opened), so it is pinned.
        this.freePgnos = Freelist.readIds(pages, meta.freelistPgno());
    }

    /** The image's length: the snapshot's high-water mark in bytes. */
    public long sizeBytes() {
        return sizeBytes;
    }

    /** The txid of the snapshot the image holds (the txid {@link Env#open} reports on a copy of it). */
    public long txid() {
        return meta.txid();
    }

    /**
     * Copies {@code min(dst.remaining(), sizeBytes() - offsetBytes)} bytes of the image, starting at
     * {@code offsetBytes}, into {@code dst} at its position, and advances the position by as much.
     *
     * @return the bytes copied: 0 only at the end of the image or when {@code dst} is full
     * @throws IndexOutOfBoundsException if the offset is negative or past the end
     * @throws IllegalStateException     if the image was closed
     */
    public int read(long offsetBytes, ByteBuffer dst) {
        checkOpen();
        if (offsetBytes < 0 || offsetBytes > sizeBytes) {
            throw new IndexOutOfBoundsException("offset " + offsetBytes + " outside the image's " + sizeBytes + " bytes");
        }
        int length = (int) Math.min(dst.remaining(), sizeBytes - offsetBytes);
        readAhead(offsetBytes, length);
        MemorySegment to = MemorySegment.ofBuffer(dst);
        long done = 0;
        if (offsetBytes < METAS_BYTES) {
            long fromMetas = Math.min(length, METAS_BYTES - offsetBytes);
            MemorySegment.copy(metas, offsetBytes, to, 0, fromMetas);
            done = fromMetas;
        }
        if (done < length) {
            MemorySegment.copy(pages, offsetBytes + done, to, done, length - done);
            zeroFreePages(offsetBytes, length, to);
        }
        dst.position(dst.position() + length);
        return length;
    }

    /**
     * Keeps the kernel reading up to {@link #READ_AHEAD_BYTES} past the reader, asking again once
     * the reader is half-way through what was asked. A read before the asked range (a resend from
     * an earlier offset) starts the range again from there.
     */
    private void readAhead(long offsetBytes, int length) {
        long endBytes = offsetBytes + length;
        if (offsetBytes + READ_AHEAD_BYTES < readAheadUntilBytes - READ_AHEAD_BYTES) {
            readAheadUntilBytes = 0;
        }
        if (endBytes + READ_AHEAD_BYTES / 2 <= readAheadUntilBytes) {
            return;
        }
        long fromBytes = Math.max(readAheadUntilBytes, offsetBytes) & -Page.SIZE_BYTES;
        long untilBytes = Math.min(sizeBytes, endBytes + READ_AHEAD_BYTES);
        if (untilBytes > fromBytes) {
            env.readAhead(pages, fromBytes, untilBytes - fromBytes);
        }
        readAheadUntilBytes = untilBytes;
    }

    /** Zeros the parts of {@code to} (holding the image's bytes from {@code offsetBytes}) that are free pages. */
    private void zeroFreePages(long offsetBytes, int length, MemorySegment to) {
        long endBytes = offsetBytes + length;
        int i = Arrays.binarySearch(freePgnos, offsetBytes >>> Page.SHIFT);
        for (i = i >= 0 ? i : -i - 1; i < freePgnos.length; i++) {
            long pageStart = freePgnos[i] << Page.SHIFT;
            if (pageStart >= endBytes) {
                break;
            }
            long from = Math.max(pageStart, offsetBytes);
            long until = Math.min(pageStart + Page.SIZE_BYTES, endBytes);
            to.asSlice(from - offsetBytes, until - from).fill((byte) 0);
        }
    }

    /**
     * A read transaction on exactly the image's snapshot (for reading what it holds, such as an applied
     * index), confined to the calling thread like any other. It holds a reader slot of its own; end it
     * with {@link ReadTxn#close}.
     */
    public ReadTxn beginRead() {
        checkOpen();
        return env.beginRead(meta);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("image of transaction " + meta.txid() + " on " + env.path() + " is closed");
        }
    }

    /** Ends the image: its pages may be reused. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            env.readerTable().release(readerSlot);
            env.releaseRetiredIfUnread();
        }
    }
}
