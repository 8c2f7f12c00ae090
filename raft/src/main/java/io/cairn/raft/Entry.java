package io.cairn.raft;

import java.util.Arrays;
import java.util.Objects;

/**
 * One log entry. Its data is {@code length} bytes of {@code buffer} from {@code offset}: an array of its own, or a
 * slice of a larger one a host reuses once the entry has left its log (issue #21: the log's entries need no array
 * each). Immutable by contract: nobody writes into those bytes while the entry is in use, which lets the in-process
 * host hand the same object to every node without copying.
 */
public record Entry(long term, long index, EntryType type, byte[] buffer, int offset, int length) {
    /** Bytes charged per entry on top of its payload when sizing messages and batches. */
    public static final int OVERHEAD_BYTES = 24;

    public Entry {
        assert term >= 0 && index >= 0 : "term " + term + " index " + index;
        Objects.requireNonNull(type, "type");
        Objects.checkFromIndexSize(offset, length, buffer.length);
    }

    /** An entry whose data is the whole of {@code data}. */
    public Entry(final long term, final long index, final EntryType type, final byte[] data) {
        this(term, index, type, data, 0, data.length);
    }

    public static Entry normal(final byte[] data) {
        return new Entry(0, 0, EntryType.NORMAL, data);
    }

    /** The same entry placed at a log position. */
    Entry at(final long newTerm, final long newIndex) {
        return new Entry(newTerm, newIndex, type, buffer, offset, length);
    }

    /**
     * The data as an array of exactly its length: the buffer itself when the entry spans all of it, else a copy. For
     * rare paths and tests; a hot path reads {@link #buffer} from {@link #offset} instead.
     */
    public byte[] data() {
        return offset == 0 && length == buffer.length ? buffer : Arrays.copyOfRange(buffer, offset, offset + length);
    }

    public boolean isEmpty() {
        return length == 0;
    }

    public long sizeBytes() {
        return OVERHEAD_BYTES + length;
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof Entry e && e.term == term && e.index == index && e.type == type
            && Arrays.equals(e.buffer, e.offset, e.offset + e.length, buffer, offset, offset + length);
    }

    @Override
    public int hashCode() {
        int hash = Objects.hash(term, index, type);
        for (int i = offset; i < offset + length; i++) {
            hash = 31 * hash + buffer[i];
        }
        return hash;
    }

    @Override
    public String toString() {
        return "Entry[" + term + "/" + index + " " + type + " " + length + "B]";
    }
}
