package io.cairn.wal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Entries to append, read in place: the caller's own entries need not become {@link Entry} objects
 * with payload arrays of their own (a Raft host adds a type byte to each payload; copying it into
 * a new array per entry was most of the WAL's garbage per write, issue #21). Read only during the
 * append call, on the appending thread.
 */
public interface EntrySource {
    int count();

    long term(int i);

    long index(int i);

    int payloadBytes(int i);

    /** Copies entry {@code i}'s payload, {@link #payloadBytes} of it, into {@code to} at {@code offset}. */
    void copyPayload(int i, MemorySegment to, long offset);

    /** Entries already made as {@link Entry} objects. */
    static EntrySource of(final List<Entry> entries) {
        return new EntrySource() {
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
                return entries.get(i).payload().length;
            }

            @Override
            public void copyPayload(final int i, final MemorySegment to, final long offset) {
                final byte[] payload = entries.get(i).payload();
                MemorySegment.copy(payload, 0, to, ValueLayout.JAVA_BYTE, offset, payload.length);
            }
        };
    }
}
