package io.cairn.engine.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** Maintenance.Hash's hash: the same contents hash the same, any change in any bucket changes it. */
class BackendHashTest {
    @Test
    void equalContentsHashEqualAndEveryBucketCounts() {
        final InMemoryBackend a = new InMemoryBackend();
        final InMemoryBackend b = new InMemoryBackend();
        for (final InMemoryBackend backend : new InMemoryBackend[] {a, b}) {
            backend.put(Bucket.KV, new byte[] {1}, new byte[] {2});
            backend.put(Bucket.META, new byte[] {3}, new byte[] {4});
        }
        assertEquals(BackendHash.of(a), BackendHash.of(b));

        b.put(Bucket.LEASE, new byte[] {5}, new byte[] {6});
        assertNotEquals(BackendHash.of(a), BackendHash.of(b), "a lease");
        b.delete(Bucket.LEASE, new byte[] {5});
        assertEquals(BackendHash.of(a), BackendHash.of(b));

        // The same pair in another bucket is other contents.
        b.delete(Bucket.KV, new byte[] {1});
        b.put(Bucket.REV, new byte[] {1}, new byte[] {2});
        assertNotEquals(BackendHash.of(a), BackendHash.of(b), "a bucket moved");
    }
}
