package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cairn.raft.Entry;
import io.cairn.raft.EntryType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The WAL keeps a Raft entry as one type byte and the data. The type codes are on disk, so they
 * are pinned here: a reordered enum must not change what an existing WAL means.
 */
class WalEntriesTest {
    @Test
    void entryTypesHaveFixedCodesOnDisk() {
        final List<io.cairn.wal.Entry> wal = WalEntries.toWal(List.of(
            new Entry(2, 7, EntryType.NORMAL, new byte[] {42}),
            new Entry(2, 8, EntryType.CONF_CHANGE, new byte[] {43})));
        assertEquals(0, wal.get(0).payload()[0], "NORMAL");
        assertEquals(1, wal.get(1).payload()[0], "CONF_CHANGE");
        assertEquals(List.of(new Entry(2, 7, EntryType.NORMAL, new byte[] {42}),
            new Entry(2, 8, EntryType.CONF_CHANGE, new byte[] {43})), WalEntries.fromWal(wal));
    }

    @Test
    void anUnknownTypeCodeIsRefused() {
        final io.cairn.wal.Entry unknown = new io.cairn.wal.Entry(2, 9, new byte[] {5, 1});
        assertThrows(IllegalStateException.class, () -> WalEntries.fromWal(List.of(unknown)));
    }

    @Test
    void aReadyIsSplitToTheWalsWriteBound() {
        final List<Entry> entries = List.of(entry(1, 100), entry(2, 100), entry(3, 100), entry(4, 5_000));
        // 134 bytes each with the WAL's framing, and room kept for a hard state: two fit in 350;
        // the large one goes alone, though over the bound.
        assertEquals(List.of(2, 1, 1), WalEntries.inWrites(entries, 350).stream().map(List::size).toList());
        assertEquals(List.of(entries), WalEntries.inWrites(entries, 1 << 20));
    }

    private static Entry entry(final long index, final int bytes) {
        return new Entry(2, index, EntryType.NORMAL, new byte[bytes]);
    }
}
