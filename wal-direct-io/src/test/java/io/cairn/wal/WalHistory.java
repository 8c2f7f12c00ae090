package io.cairn.wal;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Every record a power-cut trial's appenders queued since the log was last opened, in the order the
 * log received them, and how many of them were acknowledged. Writes reach the disk in that order and
 * recovery stops at the first bad record, so a recovered log must be the replay of some prefix of
 * these records that includes every acknowledged one. Appenders use it under its own lock, held
 * while they call the log, so its order is the log's.
 */
final class WalHistory {
    private sealed interface Record permits EntryRecord, HardStateRecord, SnapshotRecord {
    }

    private record EntryRecord(Entry entry) implements Record {
    }

    private record HardStateRecord(HardState state) implements Record {
    }

    private record SnapshotRecord(SnapshotMarker marker) implements Record {
    }

    private Recovered base = new Recovered(HardState.EMPTY, SnapshotMarker.NONE, List.of());
    private final List<Record> records = new ArrayList<>();
    private WalModel tip = WalModel.of(base);
    private int acknowledgedRecords;
    private long term = 1;
    private int appendsLeft;

    /** The log was opened and held {@code recovered}: what follows continues from it. */
    synchronized void rebase(Recovered recovered, int appends) {
        base = recovered;
        records.clear();
        tip = WalModel.of(recovered);
        acknowledgedRecords = 0;
        term = Math.max(term, Math.max(recovered.hardState().term(),
                recovered.entries().isEmpty() ? recovered.snapshot().term() : recovered.entries().getLast().term()));
        appendsLeft = appends;
    }

    /** Counts one append (or snapshot) against the life's budget; false once it is spent. */
    synchronized boolean takeAppend() {
        return appendsLeft-- > 0;
    }

    /** The next entries to append: mostly after the last, sometimes replacing a suffix above the snapshot (a new term). */
    synchronized List<Entry> nextEntries(SplittableRandom random) {
        long last = tip.lastIndex();
        long snapshot = tip.snapshot().index();
        long first = last + 1;
        if (random.nextInt(20) == 0 && last > snapshot) {
            first = snapshot + 1 + random.nextLong(last - snapshot);
            term++;
        }
        int payloadMax = random.nextInt(10) == 0 ? 3000 : 600;
        return WalModel.entries(random, term, first, 1 + random.nextInt(4), payloadMax);
    }

    synchronized HardState nextHardState(SplittableRandom random) {
        return random.nextBoolean() ? new HardState(term, random.nextInt(3), Math.max(0, tip.lastIndex() - random.nextInt(3))) : null;
    }

    /** A marker above the snapshot, at or below the last entry; null if there is none. */
    synchronized SnapshotMarker nextSnapshot(SplittableRandom random) {
        long last = tip.lastIndex();
        long snapshot = tip.snapshot().index();
        return last > snapshot ? new SnapshotMarker(term, snapshot + 1 + random.nextLong(last - snapshot)) : null;
    }

    /** Records an append the log just received; returns the record count it ends at (for {@link #acknowledge}). */
    synchronized int appended(List<Entry> entries, HardState state) {
        for (Entry e : entries) {
            records.add(new EntryRecord(e));
        }
        if (state != null) {
            records.add(new HardStateRecord(state));
        }
        tip.append(entries, state);
        return records.size();
    }

    synchronized int snapshotted(SnapshotMarker marker) {
        records.add(new SnapshotRecord(marker));
        tip.snapshot(marker);
        return records.size();
    }

    /** The log said the records up to {@code end} are durable. */
    synchronized void acknowledge(int end) {
        acknowledgedRecords = Math.max(acknowledgedRecords, end);
    }

    /** Null if {@code recovered} is the replay of a prefix holding every acknowledged record, else why not. */
    synchronized String mismatch(Recovered recovered) {
        WalModel replay = WalModel.of(base);
        for (int r = 0; r <= records.size(); r++) {
            if (r >= acknowledgedRecords && replay.expected().equals(recovered)) {
                return null;
            }
            if (r < records.size()) {
                switch (records.get(r)) {
                    case EntryRecord e -> replay.append(List.of(e.entry()), null);
                    case HardStateRecord h -> replay.append(List.of(), h.state());
                    case SnapshotRecord s -> replay.snapshot(s.marker());
                }
            }
        }
        return "recovered " + describe(recovered) + " is no replay of the first " + acknowledgedRecords
                + " (acknowledged) or more of the " + records.size() + " records queued since " + describe(base)
                + "; all of them replay to " + describe(tip.expected());
    }

    private static String describe(Recovered r) {
        return "[" + r.entries().size() + " entries up to index " + r.lastIndex() + ", " + r.hardState() + ", "
                + r.snapshot() + "]";
    }
}
