package io.cairn.engine.node;

import io.cairn.btree.EnvOptions;
import io.cairn.engine.lease.LeaseOptions;
import java.util.concurrent.TimeUnit;

/**
 * How a member runs, from etcd's flags (Main) or a test. Built from {@link #defaults} and changed
 * with the {@code with*} methods, so call sites name what they set.
 *
 * @param memberId            this member's id (etcd's, from the peer URLs and cluster token)
 * @param mapSizeBytes        address space reserved for the B+tree file
 * @param maxRequestBytes     --max-request-bytes: the largest value a client write can carry
 * @param tickMillis          --heartbeat-interval
 * @param electionTicks       --election-timeout in ticks
 * @param snapshotCount       --snapshot-count: entries durable in the tree before the in-memory log below them is
 *                            released (the WAL drops its segments sooner: MemberStorage#releaseWalBehindTree)
 * @param lease               lease minimum TTL and checkpoint interval
 * @param requestTimeoutNanos a write not answered by then gets etcd's "request timed out" (etcd's ReqTimeout)
 * @param proposalsMax        proposals queued for the Raft loop; beyond it a write gets "too many requests"
 * @param walSegmentBytes     the WAL's segment size ({@link #DEFAULT_WAL_SEGMENT_BYTES}; larger when a request's entry
 *                            needs it; tests make it small so segments are released)
 * @param restartCatchUpEntries entries before the tree's applied one that a restart keeps in the Raft log and the WAL
 *                            keeps on disk ({@link #DEFAULT_RESTART_CATCH_UP_ENTRIES}; tests make it small so that a
 *                            few hundred writes reach the paths that use it)
 */
public record MemberOptions(long memberId, long mapSizeBytes, long maxRequestBytes, long tickMillis,
    int electionTicks, long snapshotCount, LeaseOptions lease, long requestTimeoutNanos, int proposalsMax,
    long walSegmentBytes, long restartCatchUpEntries) {
    /** etcd's --max-request-bytes default. */
    public static final long DEFAULT_MAX_REQUEST_BYTES = 1_572_864;
    private static final int DEFAULT_PROPOSALS_MAX = 16_384;
    /**
     * A quarter of etcd's 64 MiB: the WAL drops a segment once the tree holds all of it but the last
     * few thousand entries (MemberStorage#releaseWalBehindTree), so a restart reads at most about one
     * segment of records more than it keeps; a larger segment is read whole more often (issue #21).
     */
    public static final long DEFAULT_WAL_SEGMENT_BYTES = 16L << 20;
    /**
     * etcd's SnapshotCatchUpEntries: a follower this far behind still catches up from the log, one
     * further behind gets the tree (MemberStorage#openWal, MemberStorage#releaseWalBehindTree).
     */
    public static final long DEFAULT_RESTART_CATCH_UP_ENTRIES = 5_000;

    public MemberOptions {
        if (maxRequestBytes < 1 || tickMillis < 1 || electionTicks < 1 || snapshotCount < 1 || proposalsMax < 1
            || requestTimeoutNanos < 1 || restartCatchUpEntries < 0) {
            throw new IllegalArgumentException("member options must be positive: " + this);
        }
    }

    /** etcd's defaults: 100 ms heartbeat, 1 s election timeout, 100,000 snapshot count. */
    public static MemberOptions defaults(final long memberId) {
        return new MemberOptions(memberId, EnvOptions.DEFAULT_MAP_SIZE_BYTES, DEFAULT_MAX_REQUEST_BYTES, 100, 10,
            100_000, new LeaseOptions(2, TimeUnit.MINUTES.toNanos(5)), requestTimeoutFor(100, 10), DEFAULT_PROPOSALS_MAX,
            DEFAULT_WAL_SEGMENT_BYTES, DEFAULT_RESTART_CATCH_UP_ENTRIES);
    }

    /** etcd's ReqTimeout: 5 s plus two election timeouts. */
    private static long requestTimeoutFor(final long tickMillis, final int electionTicks) {
        return TimeUnit.SECONDS.toNanos(5) + 2 * TimeUnit.MILLISECONDS.toNanos(tickMillis * electionTicks);
    }

    public MemberOptions withMapSizeBytes(final long value) {
        return new MemberOptions(memberId, value, maxRequestBytes, tickMillis, electionTicks, snapshotCount, lease,
            requestTimeoutNanos, proposalsMax, walSegmentBytes, restartCatchUpEntries);
    }

    public MemberOptions withMaxRequestBytes(final long value) {
        return new MemberOptions(memberId, mapSizeBytes, value, tickMillis, electionTicks, snapshotCount, lease,
            requestTimeoutNanos, proposalsMax, walSegmentBytes, restartCatchUpEntries);
    }

    /** Heartbeat and election timeout; the request timeout follows them, as in etcd. */
    public MemberOptions withTicks(final long newTickMillis, final int newElectionTicks) {
        return new MemberOptions(memberId, mapSizeBytes, maxRequestBytes, newTickMillis, newElectionTicks,
            snapshotCount, lease, requestTimeoutFor(newTickMillis, newElectionTicks), proposalsMax, walSegmentBytes,
            restartCatchUpEntries);
    }

    public MemberOptions withSnapshotCount(final long value) {
        return new MemberOptions(memberId, mapSizeBytes, maxRequestBytes, tickMillis, electionTicks, value, lease,
            requestTimeoutNanos, proposalsMax, walSegmentBytes, restartCatchUpEntries);
    }

    public MemberOptions withLease(final LeaseOptions value) {
        return new MemberOptions(memberId, mapSizeBytes, maxRequestBytes, tickMillis, electionTicks, snapshotCount,
            value, requestTimeoutNanos, proposalsMax, walSegmentBytes, restartCatchUpEntries);
    }

    public MemberOptions withRequestTimeoutNanos(final long value) {
        return new MemberOptions(memberId, mapSizeBytes, maxRequestBytes, tickMillis, electionTicks, snapshotCount,
            lease, value, proposalsMax, walSegmentBytes, restartCatchUpEntries);
    }

    public MemberOptions withWalSegmentBytes(final long value) {
        return new MemberOptions(memberId, mapSizeBytes, maxRequestBytes, tickMillis, electionTicks, snapshotCount,
            lease, requestTimeoutNanos, proposalsMax, value, restartCatchUpEntries);
    }

    public MemberOptions withRestartCatchUpEntries(final long value) {
        return new MemberOptions(memberId, mapSizeBytes, maxRequestBytes, tickMillis, electionTicks, snapshotCount,
            lease, requestTimeoutNanos, proposalsMax, walSegmentBytes, value);
    }
}
