package io.cairn.engine.cluster;

import io.cairn.engine.backend.BackendCursor;
import io.cairn.engine.backend.BackendReader;
import io.cairn.engine.backend.BackendWriter;
import io.cairn.engine.backend.Bucket;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

/**
 * The members_removed bucket, as etcd keeps it: bigendian(member id) -> the marker "removed". A
 * removed member's id never comes back: a new member gets a new id, and a removed member that
 * restarts with its old data is refused.
 */
public final class RemovedMemberTable {
    private static final byte[] MARKER = "removed".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private RemovedMemberTable() {
    }

    public static void add(final BackendWriter backend, final long id) {
        backend.put(Bucket.MEMBERS_REMOVED, key(id), MARKER);
    }

    public static boolean contains(final BackendReader backend, final long id) {
        return backend.get(Bucket.MEMBERS_REMOVED, key(id)) != null;
    }

    public static Set<Long> all(final BackendReader backend) {
        final Set<Long> ids = new HashSet<>();
        final BackendCursor cursor = backend.cursor(Bucket.MEMBERS_REMOVED);
        for (boolean ok = cursor.seek(new byte[0]); ok; ok = cursor.next()) {
            ids.add(ByteBuffer.wrap(cursor.key()).getLong());
        }
        return ids;
    }

    private static byte[] key(final long id) {
        return ByteBuffer.allocate(Long.BYTES).putLong(id).array();
    }
}
