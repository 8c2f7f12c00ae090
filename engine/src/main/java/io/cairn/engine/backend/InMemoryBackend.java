package io.cairn.engine.backend;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Sorted maps standing in for the B+tree: lets the MVCC semantics be tested on their own. Not
 * thread-safe and not transactional (writes are visible at once): single-threaded use only.
 */
public final class InMemoryBackend implements BackendWriter {
    private final Map<Bucket, NavigableMap<byte[], byte[]>> buckets = new EnumMap<>(Bucket.class);
    private long sizeBytes;

    public InMemoryBackend() {
        for (final Bucket bucket : Bucket.values()) {
            buckets.put(bucket, new TreeMap<>(Arrays::compareUnsigned));
        }
    }

    @Override
    public byte[] get(final Bucket bucket, final byte[] key) {
        return buckets.get(bucket).get(key);
    }

    @Override
    public void put(final Bucket bucket, final byte[] key, final byte[] value) {
        final byte[] previous = buckets.get(bucket).put(key.clone(), value.clone());
        sizeBytes += previous == null ? key.length + value.length : value.length - previous.length;
    }

    @Override
    public void delete(final Bucket bucket, final byte[] key) {
        final byte[] previous = buckets.get(bucket).remove(key);
        if (previous != null) {
            sizeBytes -= key.length + previous.length;
        }
    }

    /** Bytes of keys and values held: what a file-backed store's size would roughly track. */
    public long sizeBytes() {
        return sizeBytes;
    }

    public int size(final Bucket bucket) {
        return buckets.get(bucket).size();
    }

    @Override
    public BackendCursor cursor(final Bucket bucket) {
        final NavigableMap<byte[], byte[]> map = buckets.get(bucket);
        return new BackendCursor() {
            private Map.Entry<byte[], byte[]> current;

            @Override
            public boolean seek(final byte[] key) {
                current = map.ceilingEntry(key);
                return current != null;
            }

            @Override
            public boolean next() {
                if (current == null) {
                    return false;
                }
                current = map.higherEntry(current.getKey());
                return current != null;
            }

            @Override
            public byte[] key() {
                return current.getKey();
            }

            @Override
            public byte[] value() {
                return current.getValue();
            }
        };
    }
}
