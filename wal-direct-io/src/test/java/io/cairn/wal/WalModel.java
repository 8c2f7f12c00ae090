package io.cairn.wal;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** The reference a test compares recovery with: what Raft's log must read after each operation. */
final class WalModel {
    private final List<Entry> entries = new ArrayList<>();
    private HardState hardState = HardState.EMPTY;
    private SnapshotMarker snapshot = SnapshotMarker.NONE;

    /** A model holding what {@code recovered} holds. */
    static WalModel of(Recovered recovered) {
        WalModel model = new WalModel();
        model.entries.addAll(recovered.entries());
        model.hardState = recovered.hardState();
        model.snapshot = recovered.snapshot();
        return model;
    }

    long lastIndex() {
        return entries.isEmpty() ? snapshot.index() : entries.getLast().index();
    }

    SnapshotMarker snapshot() {
        return snapshot;
    }

    void append(List<Entry> batch, HardState state) {
        if (!batch.isEmpty()) {
            long first = batch.getFirst().index();
            entries.removeIf(e -> e.index() >= first);
            entries.addAll(batch);
        }
        if (state != null) {
            hardState = state;
        }
    }

    void snapshot(SnapshotMarker marker) {
        snapshot = marker;
        entries.removeIf(e -> e.index() <= marker.index());
    }

    Recovered expected() {
        return new Recovered(hardState, snapshot, entries);
    }

    /** What a log opened with {@code keepFromIndex} returns: the entries below it left out. */
    Recovered expected(long keepFromIndex) {
        long leaveOutThrough = keepFromIndex - 1;
        SnapshotMarker entriesAfter = snapshot;
        List<Entry> kept = new ArrayList<>();
        for (Entry entry : entries) {
            if (entry.index() <= leaveOutThrough) {
                entriesAfter = new SnapshotMarker(entry.term(), entry.index());
            } else {
                kept.add(entry);
            }
        }
        return new Recovered(hardState, snapshot, entriesAfter, kept);
    }

    static byte[] payload(SplittableRandom random, int maxBytes) {
        byte[] bytes = new byte[random.nextInt(maxBytes + 1)];
        random.nextBytes(bytes);
        return bytes;
    }

    /** Entries from {@code firstIndex}, consecutive, with random payloads. */
    static List<Entry> entries(SplittableRandom random, long term, long firstIndex, int count, int maxPayloadBytes) {
        List<Entry> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            batch.add(new Entry(term, firstIndex + i, payload(random, maxPayloadBytes)));
        }
        return batch;
    }
}
