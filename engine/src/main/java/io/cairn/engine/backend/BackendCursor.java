package io.cairn.engine.backend;

/** Walks one bucket in unsigned byte order of keys. */
public interface BackendCursor {
    /** Positions at the first entry whose key is >= {@code key}; false if there is none. */
    boolean seek(byte[] key);

    /** Moves to the following entry; false (and invalid) past the last. */
    boolean next();

    byte[] key();

    byte[] value();
}
