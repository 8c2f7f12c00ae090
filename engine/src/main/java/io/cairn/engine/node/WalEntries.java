package io.cairn.engine.node;

import io.cairn.raft.Entry;
import io.cairn.raft.EntryType;
import io.cairn.raft.HardState;
import io.cairn.wal.Wal;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Raft's entries as the WAL keeps them: the WAL payload is the entry type's code in one byte,
 * then the entry's data. The WAL knows nothing of Raft; this is the one place that maps between them.
 */
final class WalEntries {
    /** On-disk codes of {@link EntryType}: explicit, so reordering the enum cannot change the format. */
    private static final byte NORMAL_CODE = 0;
    private static final byte CONF_CHANGE_CODE = 1;

    private WalEntries() {
    }

    /**
     * Splits {@code entries} into runs that each fit one WAL write of {@code writeBytesMax} with a
     * hard state beside them: a Ready of many large entries would not fit one.
     */
    static List<List<Entry>> inWrites(final List<Entry> entries, final int writeBytesMax) {
        if (fitsOneWrite(entries, writeBytesMax)) {
            return List.of(entries);
        }
        final long budget = writeBytesMax - Wal.HARD_STATE_BYTES_MAX;
        final List<List<Entry>> writes = new ArrayList<>();
        int from = 0;
        long bytes = 0;
        for (int i = 0; i < entries.size(); i++) {
            final long entryBytes = Wal.entryBytesMax(1 + entries.get(i).length());
            if (i > from && bytes + entryBytes > budget) {
                writes.add(entries.subList(from, i));
                from = i;
                bytes = 0;
            }
            bytes += entryBytes;
        }
        writes.add(entries.subList(from, entries.size()));
        return writes;
    }

    /** Whether {@link #inWrites} would give {@code entries} one write: the usual Ready, which needs no split. */
    static boolean fitsOneWrite(final List<Entry> entries, final int writeBytesMax) {
        final long budget = writeBytesMax - Wal.HARD_STATE_BYTES_MAX;
        long bytes = 0;
        for (int i = 0; i < entries.size(); i++) {
            bytes += Wal.entryBytesMax(1 + entries.get(i).length());
        }
        return bytes <= budget || entries.size() <= 1;
    }

    /**
     * Raft's entries as the WAL reads them, in place: the type code and the data are copied straight
     * into the WAL's buffer, no payload array and WAL entry per entry (issue #21). One instance is
     * reused by its owner (MemberStorage, on the Raft loop) for one append at a time.
     */
    static final class InPlace implements io.cairn.wal.EntrySource {
        private List<Entry> entries = List.of();

        /** This view over {@code raftEntries}, for one append. */
        InPlace over(final List<Entry> raftEntries) {
            this.entries = raftEntries;
            return this;
        }

        @Override
        public int count() {
            return entries.size();
        }

        @Override
        public long term(final int i) {
            return entries.get(i).term();
        }

        @Override
        public long index(final int i) {
            return entries.get(i).index();
        }

        @Override
        public int payloadBytes(final int i) {
            return 1 + entries.get(i).length();
        }

        @Override
        public void copyPayload(final int i, final MemorySegment to, final long offset) {
            final Entry e = entries.get(i);
            to.set(ValueLayout.JAVA_BYTE, offset, typeCode(e.type()));
            MemorySegment.copy(e.buffer(), e.offset(), to, ValueLayout.JAVA_BYTE, offset + 1, e.length());
        }
    }

    private static byte typeCode(final EntryType type) {
        return switch (type) {
            case NORMAL -> NORMAL_CODE;
            case CONF_CHANGE -> CONF_CHANGE_CODE;
        };
    }

    static List<io.cairn.wal.Entry> toWal(final List<Entry> entries) {
        final List<io.cairn.wal.Entry> out = new ArrayList<>(entries.size());
        for (final Entry e : entries) {
            final byte[] payload = new byte[1 + e.length()];
            payload[0] = typeCode(e.type());
            System.arraycopy(e.buffer(), e.offset(), payload, 1, e.length());
            out.add(new io.cairn.wal.Entry(e.term(), e.index(), payload));
        }
        return out;
    }

    static List<Entry> fromWal(final List<io.cairn.wal.Entry> entries) {
        final List<Entry> out = new ArrayList<>(entries.size());
        for (final io.cairn.wal.Entry e : entries) {
            final byte[] payload = e.payload();
            final EntryType type = payload.length == 0 ? null : switch (payload[0]) {
                case NORMAL_CODE -> EntryType.NORMAL;
                case CONF_CHANGE_CODE -> EntryType.CONF_CHANGE;
                default -> null;
            };
            if (type == null) {
                throw new IllegalStateException("WAL entry " + e.index() + " has no valid Raft entry type");
            }
            out.add(new Entry(e.term(), e.index(), type, payload, 1, payload.length - 1)); // no copy: a slice
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
