package io.cairn.raft;

import java.util.Arrays;
import java.util.Objects;

/**
 * One log entry. Immutable by contract: nobody writes into {@code data} after proposing it, which lets the
 * in-process host hand the same object to every node without copying.
 */
public record Entry(long term, long index, EntryType type, byte[] data) {
    /** Bytes charged per entry on top of its payload when sizing messages and batches. */
    public static final int OVERHEAD_BYTES = 24;

    public Entry {
        assert term >= 0 && index >= 0 : "term " + term + " index " + index;
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
    }

    public static Entry normal(final byte[] data) {
        return new Entry(0, 0, EntryType.NORMAL, data);
    }

    /** The same entry placed at a log position. */
    Entry at(final long newTerm, final long newIndex) {
        return new Entry(newTerm, newIndex, type, data);
    }

    public long sizeBytes() {
        return OVERHEAD_BYTES + data.length;
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof Entry e && e.term == term && e.index == index && e.type == type
            && Arrays.equals(e.data, data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(term, index, type, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "Entry[" + term + "/" + index + " " + type + " " + data.length + "B]";
    }
}
