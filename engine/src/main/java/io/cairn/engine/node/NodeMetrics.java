package io.cairn.engine.node;

import io.cairn.wal.WalMetrics;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
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
    /** Round trips to each peer (by member id), timed from heartbeats: the Raft loop writes, the scrape copies. */
    private final Map<Long, PeerRoundTrip> peerRoundTrips = new ConcurrentHashMap<>();

    /** The first heartbeat to one peer not answered yet, and the round trips timed so far. */
    private static final class PeerRoundTrip {
        private long unansweredSinceNanos; // Raft loop thread only; 0: none outstanding
        private final SynchronizedHistogram nanos = new SynchronizedHistogram(MAX_TRACKED_NANOS, 3);
    }
    private final WalMetrics wal;
    private final PendingRequests pending;
    private final Supplier<PeerCounters> peers;

    NodeMetrics(final WalMetrics wal, final PendingRequests pending, final Supplier<PeerCounters> peers) {
        this.wal = wal;
        this.pending = pending;
        this.peers = peers;
    }

    /** What the peer transport counted so far. */
    public PeerCounters peers() {
        return peers.get();
    }

    void leaderChanged() {
        leaderChanges.incrementAndGet();
    }

    void backendSynced(final long durationNanos) {
        backendSyncNanos.recordValue(Math.min(Math.max(durationNanos, 0), MAX_TRACKED_NANOS));
    }

    /** The Raft loop sent a heartbeat to {@code peer}; a round trip is timed from the first one not answered yet. */
    void heartbeatSent(final long peer, final long nowNanos) {
        final PeerRoundTrip trip = peerRoundTrips.computeIfAbsent(peer, id -> new PeerRoundTrip());
        if (trip.unansweredSinceNanos == 0) {
            trip.unansweredSinceNanos = nowNanos;
        }
    }

    /** {@code peer} answered a heartbeat (Raft loop thread). */
    void heartbeatAnswered(final long peer, final long nowNanos) {
        final PeerRoundTrip trip = peerRoundTrips.get(peer);
        if (trip != null && trip.unansweredSinceNanos != 0) {
            trip.nanos.recordValue(Math.min(Math.max(nowNanos - trip.unansweredSinceNanos, 0), MAX_TRACKED_NANOS));
            trip.unansweredSinceNanos = 0;
        }
    }

    /**
     * Heartbeat round trips to each peer this member led, by peer member id in hex (etcd's "To"
     * label), in ns: from the first heartbeat not answered to the answer.
     */
    public Map<String, Histogram> peerRoundTripNanos() {
        final Map<String, Histogram> copies = new TreeMap<>();
        peerRoundTrips.forEach((peer, trip) -> copies.put(Long.toHexString(peer), trip.nanos.copy()));
        return copies;
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
