package io.cairn.raft;

/** How the leader confirms it still leads before answering a ReadIndex request. */
public enum ReadOnlyOption {
    /** One heartbeat round to a quorum per batch of reads. Safe under any clock behaviour. */
    SAFE,
    /**
     * Trust the leader lease that CheckQuorum maintains: answer at once. Safe only while clocks tick at about the same
     * rate on every node (a lease is a number of ticks), so it requires {@link RaftConfig#checkQuorum()}.
     */
    LEASE_BASED
}
