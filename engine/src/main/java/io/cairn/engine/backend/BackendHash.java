package io.cairn.engine.backend;

import java.util.zip.CRC32C;

/**
 * Maintenance.Hash: a CRC32C over every bucket's keys and values in one read transaction, as
 * etcd's Hash covers its whole bbolt file. Like etcd's it is for tests and debugging: members
 * differ (each stores its own id and applied index), and HashKV is the one to compare.
 */
public final class BackendHash {
    private BackendHash() {
    }

    public static int of(final BackendReader backend) {
        final CRC32C crc = new CRC32C();
        for (final Bucket bucket : Bucket.values()) {
            crc.update(bucket.name().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            final BackendCursor cursor = backend.cursor(bucket);
            for (boolean ok = cursor.seek(new byte[0]); ok; ok = cursor.next()) {
                crc.update(cursor.key());
                crc.update(cursor.value());
            }
        }
        return (int)crc.getValue();
    }
}
