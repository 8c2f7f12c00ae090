package io.cairn.wal;

import java.util.List;

/**
 * What the log held when opened: the newest hard state, the newest snapshot marker, and the entries
 * after {@code entriesAfter}, in index order with conflicting suffixes already replaced.
 * {@code entriesAfter} is the snapshot marker, unless the log was opened keeping only entries from
 * a later index ({@link Wal#open(java.nio.file.Path, WalOptions, io.cairn.posix.Posix, long)}): then
 * it is the term and index of the last entry left out.
 */
public record Recovered(HardState hardState, SnapshotMarker snapshot, SnapshotMarker entriesAfter, List<Entry> entries) {
    public Recovered {
        entries = List.copyOf(entries);
    }

    /** Every entry after the snapshot. */
    public Recovered(HardState hardState, SnapshotMarker snapshot, List<Entry> entries) {
        this(hardState, snapshot, snapshot, entries);
    }

    /** Index of the last entry, or of {@link #entriesAfter} when no entry follows it. */
    public long lastIndex() {
        return entries.isEmpty() ? entriesAfter.index() : entries.getLast().index();
    }
}
