package io.cairn.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The tail of the log the host has not yet made durable, and a received snapshot not yet installed. Entry i lives at
 * entries[i - offset]; a pending snapshot always sits just before offset.
 */
final class UnstableLog {
    private final ArrayList<Entry> entries = new ArrayList<>();
    private Snapshot snapshot;
    private long offset;

    UnstableLog(final long offset) {
        assert offset >= 1 : offset;
        this.offset = offset;
    }

    long offset() {
        return offset;
    }

    Snapshot snapshot() {
        return snapshot;
    }

    boolean hasEntries() {
        return !entries.isEmpty();
    }

    /**
     * A copy of the tail, which keeps changing after the host takes it: in {@code reusable} (empty) when it holds at
     * most {@code reusedMax} entries, else in a new list (an array copy).
     */
    List<Entry> entries(final List<Entry> reusable, final int reusedMax) {
        if (entries.size() > reusedMax) {
            return List.copyOf(entries);
        }
        for (int i = 0; i < entries.size(); i++) { // not addAll, which copies to an array first (issue #21)
            reusable.add(entries.get(i));
        }
        return reusable;
    }

    /** First index if a pending snapshot decides it, else -1 (storage decides). */
    long maybeFirstIndex() {
        return snapshot != null ? snapshot.index() + 1 : -1;
    }

    /** Last index if the unstable part decides it, else -1. */
    long maybeLastIndex() {
        if (!entries.isEmpty()) {
            return offset + entries.size() - 1;
        }
        return snapshot != null ? snapshot.index() : -1;
    }

    /** Term at index if the unstable part holds it, else -1. */
    long maybeTerm(final long index) {
        if (index < offset) {
            return snapshot != null && snapshot.index() == index ? snapshot.term() : -1;
        }
        final long last = maybeLastIndex();
        if (last < 0 || index > last) {
            return -1;
        }
        return entries.get(Math.toIntExact(index - offset)).term();
    }

    /** The host made entries up to (index, term) durable. A changed term means they were replaced since: keep them. */
    void stableTo(final long index, final long term) {
        if (maybeTerm(index) != term || index < offset) {
            return;
        }
        final int count = Math.toIntExact(index + 1 - offset);
        if (count == entries.size()) {
            entries.clear(); // the usual case, the whole tail is durable: no sublist (issue #21)
        } else {
            entries.subList(0, count).clear();
        }
        offset = index + 1;
    }

    void stableSnapshotTo(final long index) {
        if (snapshot != null && snapshot.index() == index) {
            snapshot = null;
        }
    }

    void restore(final Snapshot newSnapshot) {
        offset = newSnapshot.index() + 1;
        entries.clear();
        snapshot = newSnapshot;
    }

    /** Append entries whose first index may overlap (and so replace) the existing tail. */
    void truncateAndAppend(final List<Entry> newEntries) {
        assert !newEntries.isEmpty();
        final long first = newEntries.getFirst().index();
        if (first == offset + entries.size()) {
            for (int i = 0; i < newEntries.size(); i++) {
                entries.add(newEntries.get(i)); // not addAll, which copies newEntries to an array first (issue #21)
            }
        } else if (first <= offset) {
            // Replaces the whole tail, and possibly entries the host already holds: the host truncates its log
            // when it writes these.
            offset = first;
            entries.clear();
            entries.addAll(newEntries);
        } else {
            entries.subList(Math.toIntExact(first - offset), entries.size()).clear();
            entries.addAll(newEntries);
        }
    }

    /** Entries [low, high), all held here. */
    List<Entry> slice(final long low, final long high) {
        assert offset <= low && low <= high && high <= offset + entries.size()
            : "slice [" + low + "," + high + ") outside [" + offset + "," + (offset + entries.size()) + ")";
        return entries.subList(Math.toIntExact(low - offset), Math.toIntExact(high - offset));
    }
}
