package io.cairn.engine.backend;

/** The one write transaction: its writes become visible to others when the caller commits it. */
public interface BackendWriter extends BackendReader {
    void put(Bucket bucket, byte[] key, byte[] value);

    void delete(Bucket bucket, byte[] key);
}
