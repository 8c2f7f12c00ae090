package io.cairn.engine.backend;

/** A reader where a writer is asked for, for work that must not write (a read-only Txn); a write is a bug. */
public record ReadOnlyBackend(BackendReader reader) implements BackendWriter {
    @Override
    public byte[] get(final Bucket bucket, final byte[] key) {
        return reader.get(bucket, key);
    }

    @Override
    public BackendCursor cursor(final Bucket bucket) {
        return reader.cursor(bucket);
    }

    @Override
    public BackendCursor lookupCursor(final Bucket bucket) {
        return reader.lookupCursor(bucket);
    }

    @Override
    public void put(final Bucket bucket, final byte[] key, final byte[] value) {
        throw new IllegalStateException("a read-only backend was asked to write to " + bucket);
    }

    @Override
    public void delete(final Bucket bucket, final byte[] key) {
        throw new IllegalStateException("a read-only backend was asked to delete from " + bucket);
    }
}
