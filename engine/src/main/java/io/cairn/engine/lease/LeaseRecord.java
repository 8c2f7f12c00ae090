package io.cairn.engine.lease;

import java.nio.ByteBuffer;

/**
 * A lease as stored in bucket LEASE: its granted TTL and the remaining TTL of its last checkpoint
 * (0: none, so a restart starts the full TTL again, as etcd does).
 */
record LeaseRecord(long id, long ttlSeconds, long remainingTtlSeconds) {
    private static final int VALUE_BYTES = 2 * Long.BYTES;

    byte[] key() {
        return idKey(id);
    }

    byte[] value() {
        return ByteBuffer.allocate(VALUE_BYTES).putLong(ttlSeconds).putLong(remainingTtlSeconds).array();
    }

    static byte[] idKey(final long id) {
        return ByteBuffer.allocate(Long.BYTES).putLong(id).array();
    }

    static LeaseRecord decode(final byte[] key, final byte[] value) {
        if (key.length != Long.BYTES || value.length != VALUE_BYTES) {
            throw new IllegalStateException("a lease record must be 8 + 16 bytes, found " + key.length + " + "
                + value.length);
        }
        final ByteBuffer v = ByteBuffer.wrap(value);
        return new LeaseRecord(ByteBuffer.wrap(key).getLong(), v.getLong(), v.getLong());
    }
}
