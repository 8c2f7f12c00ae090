package io.cairn.wal;

/**
 * Raft's persistent state besides the log: current term, vote (0 = none) and commit index. The vote
 * is a member id, an unsigned 64-bit number, so any bit pattern is valid.
 */
public record HardState(long term, long vote, long commit) {
    public static final HardState EMPTY = new HardState(0, 0, 0);

    public HardState {
        if (term < 0 || commit < 0) {
            throw new IllegalArgumentException("hard state term and commit must be >= 0: " + term + "/" + commit);
        }
    }
}
