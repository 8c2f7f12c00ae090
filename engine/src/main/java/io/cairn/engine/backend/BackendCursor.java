package io.cairn.engine.backend;

import java.lang.foreign.MemorySegment;

/** Walks one bucket in unsigned byte order of keys. */
public interface BackendCursor {
    /** Positions at the first entry whose key is >= {@code key}; false if there is none. */
    boolean seek(byte[] key);

    /** Moves to the following entry; false (and invalid) past the last. */
    boolean next();

    byte[] key();

    byte[] value();

    /**
     * The current key without a copy: valid only until the transaction ends or writes again, so
     * read it at once (the put path's lookup of the version it replaces, issue #21).
     */
    default MemorySegment keyView() {
        return MemorySegment.ofArray(key());
    }

    /** The current value without a copy, on the terms of {@link #keyView}. */
    default MemorySegment valueView() {
        return MemorySegment.ofArray(value());
    }
}
