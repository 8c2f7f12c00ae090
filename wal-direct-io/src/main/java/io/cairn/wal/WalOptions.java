package io.cairn.wal;

import java.util.concurrent.TimeUnit;

/**
 * Tunables of a log. Defaults suit the engine: 64 MiB segments like etcd's, writes of at most 4 MiB,
 * no added batching delay (batches form while the previous fdatasync runs), O_DIRECT where the
 * filesystem allows it, pwrite + fdatasync (measured faster than O_DSYNC under group commit; see the README).
 *
 * @param segmentBytes        size each segment file is preallocated to
 * @param maxWriteBytes       bound on one group-commit write; also bounds the bytes appenders may queue
 * @param maxBatchDelayNanos  how long the flusher may wait for more appends before writing (0 = none)
 * @param syncMode            fdatasync per write, or O_DSYNC
 * @param directIo            try O_DIRECT (falls back to buffered writes where refused)
 * @param acceptMovedDirectory open a log whose segments say they were written in another directory
 * @param spareWaitNanos      how long a rotation waits for the next segment while the disk is full
 *                            (its preparer retries) before it refuses the appends that needed it,
 *                            leaving the log as it was; a preparer that is only slow is waited for
 */
public record WalOptions(long segmentBytes, int maxWriteBytes, long maxBatchDelayNanos, SyncMode syncMode,
                         boolean directIo, boolean acceptMovedDirectory, long spareWaitNanos) {
    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
    /** Segment and write sizes are multiples of this (the O_DIRECT block). */
    public static final int BLOCK_BYTES = RecordFormat.BLOCK_BYTES;
    /** A full disk stalls appends this long before they are refused (and the member can say so). */
    public static final long DEFAULT_SPARE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    public WalOptions {
        if (segmentBytes % RecordFormat.BLOCK_BYTES != 0 || maxWriteBytes % RecordFormat.BLOCK_BYTES != 0) {
            throw new IllegalArgumentException("segment and write sizes must be multiples of "
                    + RecordFormat.BLOCK_BYTES + " bytes, got " + segmentBytes + " and " + maxWriteBytes);
        }
        if (maxWriteBytes < 2 * RecordFormat.BLOCK_BYTES || segmentBytes < (long) maxWriteBytes + 2 * RecordFormat.BLOCK_BYTES) {
            throw new IllegalArgumentException("need maxWriteBytes >= 8 KiB and segmentBytes >= maxWriteBytes + 8 KiB"
                    + " (a fresh segment must hold its header and any write), got " + maxWriteBytes + " and " + segmentBytes);
        }
        if (segmentBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("segments are at most 2 GiB, got " + segmentBytes);
        }
        if (maxBatchDelayNanos < 0 || maxBatchDelayNanos > TimeUnit.SECONDS.toNanos(1)) {
            throw new IllegalArgumentException("maxBatchDelayNanos must be within 0..1 s, got " + maxBatchDelayNanos);
        }
        if (syncMode == null) {
            throw new IllegalArgumentException("syncMode is required");
        }
        if (spareWaitNanos < 0 || spareWaitNanos > TimeUnit.MINUTES.toNanos(10)) {
            throw new IllegalArgumentException("spareWaitNanos must be within 0..10 min, got " + spareWaitNanos);
        }
    }

    /** The options as they were before {@code spareWaitNanos}, with its default. */
    public WalOptions(long segmentBytes, int maxWriteBytes, long maxBatchDelayNanos, SyncMode syncMode, boolean directIo,
                      boolean acceptMovedDirectory) {
        this(segmentBytes, maxWriteBytes, maxBatchDelayNanos, syncMode, directIo, acceptMovedDirectory,
                DEFAULT_SPARE_WAIT_NANOS);
    }

    public static WalOptions defaults() {
        return new WalOptions(DEFAULT_SEGMENT_BYTES, 4 << 20, 0, SyncMode.FDATASYNC, true, false);
    }

    public WalOptions withSegmentBytes(long bytes) {
        return new WalOptions(bytes, maxWriteBytes, maxBatchDelayNanos, syncMode, directIo, acceptMovedDirectory, spareWaitNanos);
    }

    public WalOptions withMaxWriteBytes(int bytes) {
        return new WalOptions(segmentBytes, bytes, maxBatchDelayNanos, syncMode, directIo, acceptMovedDirectory, spareWaitNanos);
    }

    public WalOptions withMaxBatchDelayNanos(long nanos) {
        return new WalOptions(segmentBytes, maxWriteBytes, nanos, syncMode, directIo, acceptMovedDirectory, spareWaitNanos);
    }

    public WalOptions withSyncMode(SyncMode mode) {
        return new WalOptions(segmentBytes, maxWriteBytes, maxBatchDelayNanos, mode, directIo, acceptMovedDirectory, spareWaitNanos);
    }

    public WalOptions withDirectIo(boolean direct) {
        return new WalOptions(segmentBytes, maxWriteBytes, maxBatchDelayNanos, syncMode, direct, acceptMovedDirectory, spareWaitNanos);
    }

    public WalOptions withSpareWaitNanos(long nanos) {
        return new WalOptions(segmentBytes, maxWriteBytes, maxBatchDelayNanos, syncMode, directIo, acceptMovedDirectory, nanos);
    }

    public WalOptions withAcceptMovedDirectory(boolean accept) {
        return new WalOptions(segmentBytes, maxWriteBytes, maxBatchDelayNanos, syncMode, directIo, accept, spareWaitNanos);
    }
}
