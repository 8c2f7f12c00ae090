package io.cairn.wal;

import java.util.Arrays;
import java.util.Objects;

/**
 * One Raft log entry as the WAL keeps it. The payload is opaque to the WAL; the array is owned by the
 * entry once constructed (callers must not change it afterwards).
 */
public record Entry(long term, long index, byte[] payload) {
    public Entry {
        Objects.requireNonNull(payload, "payload");
        if (term < 0 || index < 1) {
            throw new IllegalArgumentException("entry needs term >= 0 and index >= 1, got term " + term + " index " + index);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Entry e && e.term == term && e.index == index && Arrays.equals(e.payload, payload);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(index) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "Entry[term=" + term + ", index=" + index + ", payloadBytes=" + payload.length + "]";
    }
}
