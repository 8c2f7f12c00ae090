package io.cairn.raft;

import java.util.List;

/**
 * The host's durable log (its WAL) and latest snapshot, as Raft reads them. Raft never writes here: the host appends
 * what {@link Ready#entries()} hands it, saves {@link Ready#hardState()} and installs {@link Ready#snapshot()}, then
 * calls {@link RaftNode#advance(Ready)}. Entries not yet written live in Raft's own unstable tail.
 *
 * <p>The log holds entries [firstIndex, lastIndex]; the entry just before firstIndex is the one the snapshot covers,
 * whose term {@link #term} must still answer. An empty log has lastIndex = firstIndex - 1.
 */
public interface LogStorage {
    HardState hardState();

    /** Membership as of the applied index the host passes in {@link RaftConfig#appliedIndex()}. */
    ConfState confState();

    /**
     * Entries [low, high), at least one when low < high, stopping before maxBytes would be exceeded.
     *
     * @throws LogCompactedException when low < firstIndex()
     */
    List<Entry> entries(long low, long high, long maxBytes);

    /**
     * As {@link #entries(long, long, long)}, added to {@code into}. For the committed entries of each Ready: a storage
     * that can should add them without a list of its own (issue #21).
     */
    default void entries(final long low, final long high, final long maxBytes, final List<Entry> into) {
        final List<Entry> found = entries(low, high, maxBytes);
        for (int i = 0; i < found.size(); i++) {
            into.add(found.get(i));
        }
    }

    /** Term of the entry at index, for index in [firstIndex() - 1, lastIndex()]. */
    long term(long index);

    long firstIndex();

    long lastIndex();

    /**
     * The latest snapshot, or null when one is being made and none can be sent yet. Its membership must include any
     * node Raft sends it to: a follower refuses a snapshot of a membership without itself. So a host adding a member
     * makes (or can make on demand) a snapshot at or after the change that added it.
     */
    Snapshot snapshot();
}
