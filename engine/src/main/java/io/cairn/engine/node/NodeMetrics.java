package io.cairn.engine.node;

import io.cairn.wal.WalMetrics;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * What a member counts about its Raft loop, proposals and storage, for /metrics. The member's
 * threads record; the scrape reads copies. Plain counters and histograms: how they are named and
 * exported is the metrics package's job.
 */
public final class NodeMetrics {
    private static final long MAX_TRACKED_NANOS = 60_000_000_000L;

    private final AtomicLong leaderChanges = new AtomicLong();
    private final SynchronizedHistogram backendSyncNanos = new SynchronizedHistogram(MAX_TRACKED_NANOS, 3);
    private final SynchronizedHistogram defragNanos = new SynchronizedHistogram(MAX_TRACKED_NANOS * 10, 3);
    private final AtomicLong defragsInFlight = new AtomicLong();
    private final WalMetrics wal;
    private final PendingRequests pending;

    NodeMetrics(final WalMetrics wal, final PendingRequests pending) {
        this.wal = wal;
        this.pending = pending;
    }

    void leaderChanged() {
        leaderChanges.incrementAndGet();
    }

    void backendSynced(final long durationNanos) {
        backendSyncNanos.recordValue(Math.min(Math.max(durationNanos, 0), MAX_TRACKED_NANOS));
    }

    void defragStarted() {
        defragsInFlight.incrementAndGet();
    }

    /** A defragmentation ended: {@code tookNanos} if it succeeded, negative if it failed (not timed). */
    void defragFinished(final long tookNanos) {
        defragsInFlight.decrementAndGet();
        if (tookNanos >= 0) {
            defragNanos.recordValue(Math.min(tookNanos, MAX_TRACKED_NANOS * 10));
        }
    }

    /** Durations of the backend's defragmentations, in ns. */
    public Histogram defragNanos() {
        return defragNanos.copy();
    }

    /** Defragmentations running now (0 or 1). */
    public long defragsInFlight() {
        return defragsInFlight.get();
    }

    /** Times this member saw the leader change to another member (none counted as a change to "no leader"). */
    public long leaderChanges() {
        return leaderChanges.get();
    }

    /** Proposals answered with an error: timed out, no leader, too many requests, or the member stopping. */
    public long proposalsFailed() {
        return pending.failures();
    }

    /** Proposals waiting for their outcome now. */
    public long proposalsPending() {
        return pending.size();
    }

    /** Durations of the tree's syncs (write dirty pages, fdatasync, write the meta, fdatasync), in ns. */
    public Histogram backendSyncNanos() {
        return backendSyncNanos.copy();
    }

    /** The WAL's write and fdatasync figures. */
    public WalMetrics wal() {
        return wal;
    }
}
