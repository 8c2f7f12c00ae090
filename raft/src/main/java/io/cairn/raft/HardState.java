package io.cairn.raft;

/** What a node must persist before it sends any message of the same Ready: its term, its vote and its commit index. */
public record HardState(long term, long vote, long commit) {
    public static final HardState EMPTY = new HardState(0, 0, 0);

    public HardState {
        // vote is a member id: etcd's ids are unsigned 64-bit, so any bit pattern (0 = no vote).
        assert term >= 0 && commit >= 0 : "term " + term + " vote " + vote + " commit " + commit;
    }

    /**
     * True for {@link #EMPTY}: nothing persisted yet. Compared field by field because a record's own
     * equals is linked through invokedynamic at its first call, 10-20 ms of a member's start on a
     * cold JVM that the AOT cache does not keep (issue #21).
     */
    public boolean isEmpty() {
        return term == 0 && vote == 0 && commit == 0;
    }
}
