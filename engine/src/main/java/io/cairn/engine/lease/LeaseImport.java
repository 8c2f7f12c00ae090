package io.cairn.engine.lease;

import io.cairn.engine.backend.BackendWriter;
import io.cairn.engine.backend.Bucket;

/** A lease another store recorded (etcd's, read by `cairn migrate`), written as a grant or checkpoint here would. */
public final class LeaseImport {
    private LeaseImport() {
    }

    /**
     * Lease {@code id} with its granted TTL and its checkpointed remaining TTL (0: none, so it gets
     * its full TTL again when the member loads it, as etcd's leases do on restart).
     */
    public static void put(final BackendWriter backend, final long id, final long ttlSeconds,
        final long remainingTtlSeconds) {
        final LeaseRecord record = new LeaseRecord(id, ttlSeconds, remainingTtlSeconds);
        backend.put(Bucket.LEASE, record.key(), record.value());
    }
}
