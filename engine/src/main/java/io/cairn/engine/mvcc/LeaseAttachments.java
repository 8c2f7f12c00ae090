package io.cairn.engine.mvcc;

import io.cairn.engine.backend.BackendCursor;
import io.cairn.engine.backend.BackendReader;
import io.cairn.engine.backend.BackendWriter;
import io.cairn.engine.backend.Bucket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Which keys each lease holds (bucket LEASE_KEYS), moved by every write of a key's lease. */
public final class LeaseAttachments {
    private static final byte[] EMPTY = new byte[0];

    private LeaseAttachments() {
    }

    /** Records that {@code userKey} moved from lease {@code from} to lease {@code to} (0: none). */
    static void move(final BackendWriter backend, final byte[] userKey, final long from, final long to) {
        if (from == to) {
            return;
        }
        if (from != 0) {
            backend.delete(Bucket.LEASE_KEYS, entry(from, userKey));
        }
        if (to != 0) {
            backend.put(Bucket.LEASE_KEYS, entry(to, userKey), EMPTY);
        }
    }

    /** The keys attached to {@code leaseId}, in key order, at most {@code max}. */
    public static List<byte[]> keys(final BackendReader backend, final long leaseId, final int max) {
        final byte[] prefix = ByteBuffer.allocate(Long.BYTES).putLong(leaseId).array();
        final List<byte[]> keys = new ArrayList<>();
        final BackendCursor cursor = backend.cursor(Bucket.LEASE_KEYS);
        for (boolean valid = cursor.seek(prefix); valid && keys.size() < max; valid = cursor.next()) {
            final byte[] entry = cursor.key();
            if (entry.length < Long.BYTES || !Arrays.equals(entry, 0, Long.BYTES, prefix, 0, Long.BYTES)) {
                break;
            }
            keys.add(Arrays.copyOfRange(entry, Long.BYTES, entry.length));
        }
        return keys;
    }

    private static byte[] entry(final long leaseId, final byte[] userKey) {
        return ByteBuffer.allocate(Long.BYTES + userKey.length).putLong(leaseId).put(userKey).array();
    }
}
