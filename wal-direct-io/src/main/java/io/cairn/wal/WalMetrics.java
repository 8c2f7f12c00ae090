package io.cairn.wal;

import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * What the engine exports about the log. The flusher records; any thread may read. Histograms are
 * cumulative since open; {@link #syncLatencyNanos()} and friends return copies.
 */
public final class WalMetrics {
    private static final long MAX_TRACKED_NANOS = 60_000_000_000L;

    private final SynchronizedHistogram syncNanos = new SynchronizedHistogram(MAX_TRACKED_NANOS, 3);
    private final SynchronizedHistogram writeBytes = new SynchronizedHistogram(1L << 31, 2);
    private final SynchronizedHistogram writeRecords = new SynchronizedHistogram(1L << 31, 2);
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong recordsWritten = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();

    void recordWrite(int alignedBytes, int records, long syncDurationNanos) {
        syncNanos.recordValue(Math.min(Math.max(syncDurationNanos, 0), MAX_TRACKED_NANOS));
        writeBytes.recordValue(alignedBytes);
        writeRecords.recordValue(records);
        bytesWritten.addAndGet(alignedBytes);
        recordsWritten.addAndGet(records);
        writes.incrementAndGet();
    }

    /** Time from a write's start to its durability (pwrite + fdatasync, or the O_DSYNC pwrite), in ns. */
    public Histogram syncLatencyNanos() {
        return syncNanos.copy();
    }

    /** Bytes per write, padding included. */
    public Histogram writeSizeBytes() {
        return writeBytes.copy();
    }

    /** Records per write: the group-commit batch size. */
    public Histogram writeSizeRecords() {
        return writeRecords.copy();
    }

    public long bytesWritten() {
        return bytesWritten.get();
    }

    public long recordsWritten() {
        return recordsWritten.get();
    }

    public long writes() {
        return writes.get();
    }
}
