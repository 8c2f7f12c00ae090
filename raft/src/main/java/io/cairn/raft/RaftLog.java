package io.cairn.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The log as Raft sees it: the host's durable part ({@link LogStorage}) followed by the unstable tail, plus the
 * commit and apply positions. Invariant: snapshot index <= applied <= committed <= lastIndex.
 */
final class RaftLog {
    private final LogStorage storage;
    private final UnstableLog unstable;
    private final long maxCommittedBytesPerReady;
    private long committed;
    private long applied;

    RaftLog(final LogStorage storage, final long maxCommittedBytesPerReady) {
        this.storage = storage;
        this.maxCommittedBytesPerReady = maxCommittedBytesPerReady;
        this.unstable = new UnstableLog(storage.lastIndex() + 1);
        this.committed = storage.firstIndex() - 1;
        this.applied = storage.firstIndex() - 1;
    }

    long committed() {
        return committed;
    }

    long applied() {
        return applied;
    }

    long firstIndex() {
        final long fromSnapshot = unstable.maybeFirstIndex();
        return fromSnapshot >= 0 ? fromSnapshot : storage.firstIndex();
    }

    long lastIndex() {
        final long fromUnstable = unstable.maybeLastIndex();
        return fromUnstable >= 0 ? fromUnstable : storage.lastIndex();
    }

    /** The last index the host has made durable (a pending snapshot counts: it only holds committed entries). */
    long lastStableIndex() {
        return unstable.hasEntries() ? unstable.offset() - 1 : lastIndex();
    }

    long lastTerm() {
        return term(lastIndex());
    }

    /** Term at index, or 0 when index is outside [firstIndex - 1, lastIndex]; real terms start at 1. */
    long term(final long index) {
        if (index < firstIndex() - 1 || index > lastIndex()) {
            return 0;
        }
        final long fromUnstable = unstable.maybeTerm(index);
        return fromUnstable >= 0 ? fromUnstable : storage.term(index);
    }

    boolean matchTerm(final long index, final long term) {
        if (index < firstIndex() - 1 || index > lastIndex()) {
            return false;
        }
        return term(index) == term;
    }

    /** Newer term wins; with equal terms the longer log wins (§5.4.1). */
    boolean isUpToDate(final long lastIndexOfOther, final long lastTermOfOther) {
        final long ownTerm = lastTerm();
        return lastTermOfOther > ownTerm || (lastTermOfOther == ownTerm && lastIndexOfOther >= lastIndex());
    }

    /**
     * The append rule of §5.3: if our entry at prevIndex has prevTerm, drop whatever conflicts with the new entries,
     * append the rest, and learn the commit index. Returns the last index now known to match the leader, or -1 when
     * prevIndex does not match.
     */
    long maybeAppend(final long prevIndex, final long prevTerm, final long leaderCommit, final List<Entry> entries) {
        if (!matchTerm(prevIndex, prevTerm)) {
            return -1;
        }
        final long lastNew = prevIndex + entries.size();
        final long conflict = findConflict(entries);
        if (conflict != 0) {
            if (conflict <= committed) {
                throw new IllegalStateException("entry " + conflict + " conflicts with committed entry (committed "
                    + committed + ")");
            }
            append(entries.subList(Math.toIntExact(conflict - prevIndex - 1), entries.size()));
        }
        commitTo(Math.min(leaderCommit, lastNew));
        return lastNew;
    }

    /** Index of the first entry that is new or whose term differs from ours, 0 when all already match. */
    private long findConflict(final List<Entry> entries) {
        for (final Entry entry : entries) {
            if (!matchTerm(entry.index(), entry.term())) {
                return entry.index();
            }
        }
        return 0;
    }

    /**
     * The largest index at or below {@code index} whose term is at most {@code term}: everything above it cannot
     * match a log whose entry at {@code index} has {@code term}, so the leader can skip it in one step.
     */
    long findConflictByTerm(final long index, final long term) {
        final long floor = firstIndex() - 1;
        long probe = Math.min(index, lastIndex());
        while (probe > floor) {
            if (term(probe) <= term) {
                return probe;
            }
            probe--;
        }
        return probe;
    }

    long append(final List<Entry> entries) {
        if (entries.isEmpty()) {
            return lastIndex();
        }
        final long after = entries.getFirst().index() - 1;
        if (after < committed) {
            throw new IllegalStateException("append after " + after + " would overwrite committed " + committed);
        }
        unstable.truncateAndAppend(entries);
        return lastIndex();
    }

    boolean hasUnstableEntries() {
        return unstable.hasEntries();
    }

    /**
     * At most this many entries are copied into a Ready's reused list, one at a time; more go into a fresh list, by
     * array copy. Reuse saves a list per Ready where a few entries pay for it (one put in flight, issue #21); copying a
     * large batch entry by entry into a long-lived list cost RaftCommitBench a third of its throughput at batch 1024.
     */
    static final int REUSED_LIST_ENTRIES_MAX = 16;

    /** The entries not yet handed to storage: in {@code reusable} (empty) when they are few, else in a new list. */
    List<Entry> unstableEntries(final List<Entry> reusable) {
        return unstable.entries(reusable, REUSED_LIST_ENTRIES_MAX);
    }

    Snapshot unstableSnapshot() {
        return unstable.snapshot();
    }

    boolean hasNextCommittedEntries() {
        return unstable.snapshot() == null && committed > applied && applied + 1 >= firstIndex();
    }

    /**
     * The committed entries not yet applied, up to the byte limit per Ready: in {@code reusable} (empty) when they are
     * few and in storage (the usual case: entries are persisted before they commit), else in a new list.
     */
    List<Entry> nextCommittedEntries(final List<Entry> reusable) {
        if (!hasNextCommittedEntries()) {
            return reusable;
        }
        final long low = applied + 1;
        final long high = committed + 1;
        if (high <= unstable.offset() && high - low <= REUSED_LIST_ENTRIES_MAX) {
            storage.entries(low, high, maxCommittedBytesPerReady, reusable);
            return reusable;
        }
        return slice(low, high, maxCommittedBytesPerReady);
    }

    /** Entries from index to the end, up to maxBytes (always at least one). */
    List<Entry> entriesFrom(final long index, final long maxBytes) {
        if (index > lastIndex()) {
            return List.of();
        }
        return slice(index, lastIndex() + 1, maxBytes);
    }

    /** Entries [low, high) up to maxBytes, at least one; throws LogCompactedException below firstIndex. */
    List<Entry> slice(final long low, final long high, final long maxBytes) {
        if (low < firstIndex()) {
            throw new LogCompactedException(low, firstIndex());
        }
        assert low <= high && high <= lastIndex() + 1 : "slice [" + low + "," + high + ") past " + lastIndex();
        if (low == high) {
            return List.of();
        }
        final long offset = unstable.offset();
        if (high <= offset) {
            return storage.entries(low, high, maxBytes);
        }
        final List<Entry> tail = unstable.slice(Math.max(low, offset), high);
        if (low >= offset) {
            return List.copyOf(limitBytes(tail, maxBytes, 0));
        }
        final List<Entry> stored = storage.entries(low, offset, maxBytes);
        if (stored.size() < offset - low) {
            return stored;
        }
        long bytes = 0;
        for (final Entry entry : stored) {
            bytes += entry.sizeBytes();
        }
        final ArrayList<Entry> joined = new ArrayList<>(stored.size() + tail.size());
        joined.addAll(stored);
        joined.addAll(limitBytes(tail, maxBytes, bytes));
        return joined;
    }

    /** The longest prefix that keeps the total within maxBytes, but never nothing when nothing came before. */
    private static List<Entry> limitBytes(final List<Entry> entries, final long maxBytes, final long bytesBefore) {
        long bytes = bytesBefore;
        for (int i = 0; i < entries.size(); i++) {
            bytes += entries.get(i).sizeBytes();
            if (bytes > maxBytes && (i > 0 || bytesBefore > 0)) {
                return entries.subList(0, i);
            }
        }
        return entries;
    }

    void commitTo(final long index) {
        if (index <= committed) {
            return;
        }
        if (index > lastIndex()) {
            throw new IllegalStateException("commit " + index + " is past the last index " + lastIndex());
        }
        committed = index;
    }

    /** §5.4.2: a leader only counts replicas to commit entries of its own term; earlier ones commit with them. */
    boolean maybeCommit(final long index, final long term) {
        if (index > committed && term(index) == term) {
            commitTo(index);
            return true;
        }
        return false;
    }

    void appliedTo(final long index) {
        assert index >= applied && index <= committed : "applied " + index + " outside [" + applied + ","
            + committed + "]";
        applied = index;
    }

    void stableTo(final long index, final long term) {
        unstable.stableTo(index, term);
    }

    void stableSnapshotTo(final long index) {
        unstable.stableSnapshotTo(index);
    }

    /** The snapshot to send a follower: the pending one, else the host's. Null when temporarily unavailable. */
    Snapshot snapshot() {
        final Snapshot pending = unstable.snapshot();
        return pending != null ? pending : storage.snapshot();
    }

    void restore(final Snapshot snapshot) {
        assert snapshot.index() > committed : "restore " + snapshot.index() + " at or below commit " + committed;
        committed = snapshot.index();
        unstable.restore(snapshot);
    }

    /** After a snapshot was installed the state machine stands at its index. */
    void appliedSnapshot(final long index) {
        if (index > applied) {
            applied = index;
        }
    }
}
