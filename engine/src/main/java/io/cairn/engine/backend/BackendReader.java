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

    /**
     * A cursor over {@code bucket} shared by every caller of this method on this reader: valid
     * until the next call, for a lookup that seeks, reads and keeps nothing (the put path's lookup
     * of the version it replaces: a cursor per put was 180 bytes, issue #21). {@link #cursor} gives
     * a cursor of one's own.
     */
    default BackendCursor lookupCursor(final Bucket bucket) {
        return cursor(bucket);
    }
}
