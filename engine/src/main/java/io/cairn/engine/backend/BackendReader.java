package io.cairn.engine.backend;

/**
 * A consistent view of the backend: one read transaction, or the write transaction (which sees its
 * own writes). The MVCC layer is written against this interface so that it does not depend on how
 * pages are laid out.
 */
public interface BackendReader {
    /** The value stored under {@code key}, or null. */
    byte[] get(Bucket bucket, byte[] key);

    BackendCursor cursor(Bucket bucket);
}
