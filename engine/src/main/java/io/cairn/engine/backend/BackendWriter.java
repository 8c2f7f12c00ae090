package io.cairn.engine.backend;

/**
 * The one write transaction: its writes become visible to others when the caller commits it. A
 * write copies its key and value at once: the caller may reuse both arrays after the call (the
 * put path encodes its keys into scratch arrays, issue #21).
 */
public interface BackendWriter extends BackendReader {
    void put(Bucket bucket, byte[] key, byte[] value);

    /**
     * Stores the first {@code valueLength} bytes of {@code value}, a buffer the caller reuses (the
     * backend keeps a copy): the put path encodes each version into one (issue #21).
     */
    default void put(final Bucket bucket, final byte[] key, final byte[] value, final int valueLength) {
        put(bucket, key, java.util.Arrays.copyOf(value, valueLength));
    }

    void delete(Bucket bucket, byte[] key);
}
