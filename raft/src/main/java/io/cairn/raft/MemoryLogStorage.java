package io.cairn.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link LogStorage} held in memory, for tests, the simulator and benchmarks; a host with a WAL writes its own.
 * "Durable" here means: survives a simulated crash, which throws away only the Raft object.
 * entries.get(0) is a placeholder for the snapshot's last entry, so entry i lives at entries.get(i - snapshotIndex).
 */
public final class MemoryLogStorage implements LogStorage {
    private final ArrayList<Entry> entries = new ArrayList<>();
    /** The hard state, as its three numbers: a host saves one per Ready (issue #21). */
    private long term;
    private long vote;
    private long commit;
    private Snapshot snapshot = Snapshot.EMPTY;

    public MemoryLogStorage() {
        entries.add(new Entry(0, 0, EntryType.NORMAL, new byte[0]));
    }

    /** A fresh member of a new cluster: its log starts after a snapshot at (index, term) holding the membership. */
    public static MemoryLogStorage bootstrap(final long index, final long term, final ConfState membership) {
        final MemoryLogStorage storage = new MemoryLogStorage();
        storage.applySnapshot(new Snapshot(index, term, membership, new byte[0]));
        storage.setHardState(new HardState(term, 0, index));
        return storage;
    }

    @Override
    public HardState hardState() {
        return new HardState(term, vote, commit);
    }

    /** The snapshot's membership: a host using this storage restarts with appliedIndex = the snapshot's index. */
    @Override
    public ConfState confState() {
        return snapshot.confState();
    }

    @Override
    public List<Entry> entries(final long low, final long high, final long maxBytes) {
        final int start = Math.toIntExact(low - snapshotIndex());
        final int end = endOf(low, high, maxBytes);
        if (end - start == 1) {
            return List.of(entries.get(start)); // one entry (a lone write): no sublist and array (issue #21)
        }
        return List.copyOf(entries.subList(start, end));
    }

    @Override
    public void entries(final long low, final long high, final long maxBytes, final List<Entry> into) {
        final int end = endOf(low, high, maxBytes);
        for (int i = Math.toIntExact(low - snapshotIndex()); i < end; i++) {
            into.add(entries.get(i));
        }
    }

    /** The position in {@link #entries} after the last of [low, high) within maxBytes (at least one entry). */
    private int endOf(final long low, final long high, final long maxBytes) {
        final long snapshotIndex = snapshotIndex();
        if (low <= snapshotIndex) {
            throw new LogCompactedException(low, snapshotIndex + 1);
        }
        if (high > lastIndex() + 1) {
            throw new IllegalArgumentException("entries up to " + high + " asked; last is " + lastIndex());
        }
        long bytes = 0;
        int end = Math.toIntExact(low - snapshotIndex);
        final int endMax = Math.toIntExact(high - snapshotIndex);
        while (end < endMax) {
            bytes += entries.get(end).sizeBytes();
            if (bytes > maxBytes && end > low - snapshotIndex) {
                break;
            }
            end++;
        }
        return end;
    }

    @Override
    public long term(final long index) {
        final long snapshotIndex = snapshotIndex();
        if (index < snapshotIndex || index > lastIndex()) {
            throw new IllegalArgumentException("term of " + index + " outside [" + snapshotIndex + "," + lastIndex()
                + "]");
        }
        return entries.get(Math.toIntExact(index - snapshotIndex)).term();
    }

    @Override
    public long firstIndex() {
        return snapshotIndex() + 1;
    }

    @Override
    public long lastIndex() {
        return snapshotIndex() + entries.size() - 1;
    }

    @Override
    public Snapshot snapshot() {
        return snapshot;
    }

    private long snapshotIndex() {
        return entries.getFirst().index();
    }

    public void setHardState(final HardState value) {
        setHardState(value.term(), value.vote(), value.commit());
    }

    /** As {@link #setHardState(HardState)}, from a {@link Ready}'s three numbers. */
    public void setHardState(final long term, final long vote, final long commit) {
        this.term = term;
        this.vote = vote;
        this.commit = commit;
    }

    /** Write entries, first dropping any existing ones at or after the first new index (they lost a conflict). */
    public void append(final List<Entry> newEntries) {
        if (newEntries.isEmpty()) {
            return;
        }
        final long first = newEntries.getFirst().index();
        if (first <= snapshotIndex()) {
            throw new IllegalArgumentException("append at " + first + " inside the snapshot (" + snapshotIndex() + ")");
        }
        if (first > lastIndex() + 1) {
            throw new IllegalArgumentException("append at " + first + " leaves a gap after " + lastIndex());
        }
        final int keep = Math.toIntExact(first - snapshotIndex());
        if (keep < entries.size()) {
            entries.subList(keep, entries.size()).clear(); // a new leader's entries replace a tail: rare
        }
        for (int i = 0; i < newEntries.size(); i++) {
            entries.add(newEntries.get(i)); // not addAll, which copies newEntries to an array first (issue #21)
        }
    }

    /** Replace everything with a snapshot received from the leader. */
    public void applySnapshot(final Snapshot value) {
        if (value.index() < snapshotIndex()) {
            throw new IllegalArgumentException("snapshot " + value.index() + " older than " + snapshotIndex());
        }
        snapshot = value;
        entries.clear();
        entries.add(new Entry(value.term(), value.index(), EntryType.NORMAL, new byte[0]));
    }

    /** Record a snapshot of the host's own state at index (at or below applied), without dropping entries. */
    public Snapshot createSnapshot(final long index, final ConfState membership, final byte[] data) {
        if (index <= snapshot.index()) {
            return snapshot;
        }
        if (index > lastIndex()) {
            throw new IllegalArgumentException("snapshot at " + index + " past last index " + lastIndex());
        }
        snapshot = new Snapshot(index, term(index), membership, data);
        return snapshot;
    }

    /** Drop entries up to and including index, which must be covered by the snapshot. */
    public void compact(final long index) {
        final long snapshotIndex = snapshotIndex();
        if (index <= snapshotIndex) {
            return;
        }
        if (index > snapshot.index()) {
            throw new IllegalArgumentException("compact to " + index + " past the snapshot at " + snapshot.index());
        }
        final Entry last = entries.get(Math.toIntExact(index - snapshotIndex));
        entries.subList(0, Math.toIntExact(index - snapshotIndex) + 1).clear();
        entries.addFirst(new Entry(last.term(), last.index(), EntryType.NORMAL, new byte[0]));
    }
}
