package io.cairn.engine.node;

import io.cairn.raft.Entry;
import io.cairn.raft.EntryType;
import io.cairn.raft.HardState;
import java.util.ArrayList;
import java.util.List;

/**
 * Raft's entries as the WAL keeps them: the WAL payload is the entry type's ordinal in one byte,
 * then the entry's data. The WAL knows nothing of Raft; this is the one place that maps between them.
 */
final class WalEntries {
    private WalEntries() {
    }

    static List<io.cairn.wal.Entry> toWal(final List<Entry> entries) {
        final List<io.cairn.wal.Entry> out = new ArrayList<>(entries.size());
        for (final Entry e : entries) {
            final byte[] payload = new byte[1 + e.data().length];
            payload[0] = (byte)e.type().ordinal();
            System.arraycopy(e.data(), 0, payload, 1, e.data().length);
            out.add(new io.cairn.wal.Entry(e.term(), e.index(), payload));
        }
        return out;
    }

    static List<Entry> fromWal(final List<io.cairn.wal.Entry> entries) {
        final EntryType[] types = EntryType.values();
        final List<Entry> out = new ArrayList<>(entries.size());
        for (final io.cairn.wal.Entry e : entries) {
            final byte[] payload = e.payload();
            if (payload.length == 0 || payload[0] < 0 || payload[0] >= types.length) {
                throw new IllegalStateException("WAL entry " + e.index() + " has no valid Raft entry type");
            }
            final byte[] data = new byte[payload.length - 1];
            System.arraycopy(payload, 1, data, 0, data.length);
            out.add(new Entry(e.term(), e.index(), types[payload[0]], data));
        }
        return out;
    }

    static io.cairn.wal.HardState toWal(final HardState state) {
        return state == null ? null : new io.cairn.wal.HardState(state.term(), state.vote(), state.commit());
    }

    static HardState fromWal(final io.cairn.wal.HardState state) {
        return new HardState(state.term(), state.vote(), state.commit());
    }
}
