package io.cairn.wal;

import java.util.List;

/**
 * What the log held when opened: the newest hard state, the newest snapshot marker, and every entry
 * after that snapshot, in index order with conflicting suffixes already replaced.
 */
public record Recovered(HardState hardState, SnapshotMarker snapshot, List<Entry> entries) {
    public Recovered {
        entries = List.copyOf(entries);
    }

    /** Index of the last entry, or the snapshot's index when no entry follows it. */
    public long lastIndex() {
        return entries.isEmpty() ? snapshot.index() : entries.getLast().index();
    }
}
