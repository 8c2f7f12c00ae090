package io.cairn.engine.migrate;

import com.google.protobuf.InvalidProtocolBufferException;
import io.cairn.engine.lease.LeaseImport;
import io.cairn.engine.migrate.bolt.BoltBucket;
import io.cairn.etcd.api.leasepb.Lease;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * etcd's `lease` bucket into Cairn's: key bigendian(lease id), value leasepb.Lease (ID, TTL, and
 * RemainingTTL, set only by etcd's optional checkpoints). Like etcd after a restart, the member
 * gives each lease its checkpointed remaining TTL, or its full TTL again, from when it loads it.
 */
final class EtcdLeases {
    private EtcdLeases() {
    }

    /** Writes every lease; returns their ids. */
    static Set<Long> migrate(final Path file, final BoltBucket leases, final TreeBatches tree) throws IOException {
        final Set<Long> ids = new HashSet<>();
        leases.forEach(entry -> {
            if (entry.key().length != Long.BYTES || entry.nestedBucket()) {
                throw new EtcdSnapshotException(file, "lease bucket has a " + entry.key().length
                    + "-byte key, expected a lease id of " + Long.BYTES);
            }
            final long id = ByteBuffer.wrap(entry.key()).getLong();
            final Lease lease;
            try {
                lease = Lease.parseFrom(entry.value());
            } catch (final InvalidProtocolBufferException e) {
                throw new EtcdSnapshotException(file, "lease " + Long.toHexString(id) + " is not a leasepb.Lease: "
                    + e.getMessage());
            }
            if (lease.getID() != id || lease.getTTL() <= 0 || lease.getRemainingTTL() < 0) {
                throw new EtcdSnapshotException(file, "lease bucket's entry " + Long.toHexString(id) + " holds " + lease
                    .toString().replace('\n', ' ').strip());
            }
            LeaseImport.put(tree.writer(), id, lease.getTTL(), lease.getRemainingTTL());
            ids.add(id);
        });
        return ids;
    }
}
