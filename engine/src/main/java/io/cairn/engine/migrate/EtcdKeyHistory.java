package io.cairn.engine.migrate;

import com.google.protobuf.InvalidProtocolBufferException;
import io.cairn.engine.migrate.bolt.BoltBucket;
import io.cairn.engine.mvcc.KeyValue;
import io.cairn.engine.mvcc.MvccImport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * etcd's `key` bucket into Cairn's history: one entry per change, keyed by its revision
 * ({@link EtcdRevision}, in revision order), valued by an mvccpb.KeyValue (for a delete, one that
 * holds only the key). Each becomes the version a Put or delete at that revision leaves in Cairn.
 * Then, as etcd does on restart, each key whose newest version is live and leased is attached to
 * its lease, if that lease exists (etcd logs and skips one that does not; so does this).
 */
final class EtcdKeyHistory {
    /** What was carried over. */
    record Result(long versions, long deletes, long liveKeys, long lastMainRevision, long attachedKeys) {
    }

    private final Path file;
    private final TreeBatches tree;
    /** Each key's newest version, while it is live: its lease (0: none). etcd keeps the same map while it restores. */
    private final Map<ByteBuffer, Long> liveKeyLeases = new HashMap<>();
    private long versions;
    private long deletes;
    private long lastMainRevision;

    private EtcdKeyHistory(final Path file, final TreeBatches tree) {
        this.file = file;
        this.tree = tree;
    }

    static Result migrate(final Path file, final BoltBucket keys, final Set<Long> leaseIds, final TreeBatches tree,
        final Consumer<String> log) throws IOException {
        final EtcdKeyHistory history = new EtcdKeyHistory(file, tree);
        keys.forEach(entry -> {
            if (entry.nestedBucket()) {
                throw new EtcdSnapshotException(file, "key bucket holds a nested bucket");
            }
            history.change(entry.key(), entry.value());
        });
        final long attached = history.attachLeases(leaseIds, log);
        return new Result(history.versions, history.deletes, history.liveKeyLeases.size(), history.lastMainRevision,
            attached);
    }

    private void change(final byte[] revisionBytes, final byte[] value) throws IOException {
        final EtcdRevision revision = EtcdRevision.decode(revisionBytes);
        if (revision == null) {
            throw new EtcdSnapshotException(file, "key bucket has an entry whose key is not a revision ("
                + revisionBytes.length + " bytes)");
        }
        final io.cairn.etcd.api.mvccpb.KeyValue kv;
        try {
            kv = io.cairn.etcd.api.mvccpb.KeyValue.parseFrom(value);
        } catch (final InvalidProtocolBufferException e) {
            throw new EtcdSnapshotException(file, "revision " + revision + " is not an mvccpb.KeyValue: " + e.getMessage());
        }
        final byte[] key = kv.getKey().toByteArray();
        if (key.length == 0) {
            throw new EtcdSnapshotException(file, "revision " + revision + " has an empty key");
        }
        if (!MvccImport.fits(key)) {
            throw new EtcdSnapshotException(file, "key " + printable(key) + " (" + key.length
                + " bytes) is longer than Cairn's backend takes (about 1,000 bytes; etcd allows longer)");
        }
        if (revision.tombstone()) {
            MvccImport.tombstone(tree.writer(), key, revision.main(), revision.sub());
            liveKeyLeases.remove(ByteBuffer.wrap(key));
            deletes++;
        } else {
            if (kv.getModRevision() != revision.main()) {
                throw new EtcdSnapshotException(file, "revision " + revision + " of key " + printable(key)
                    + " says it was modified at revision " + kv.getModRevision());
            }
            MvccImport.version(tree.writer(), revision.main(), revision.sub(), new KeyValue(key, kv.getCreateRevision(),
                kv.getModRevision(), kv.getVersion(), kv.getLease(), kv.getValue().toByteArray()));
            liveKeyLeases.put(ByteBuffer.wrap(key), kv.getLease());
        }
        versions++;
        lastMainRevision = Math.max(lastMainRevision, revision.main());
    }

    private long attachLeases(final Set<Long> leaseIds, final Consumer<String> log) throws IOException {
        long attached = 0;
        for (final Map.Entry<ByteBuffer, Long> live : liveKeyLeases.entrySet()) {
            final long lease = live.getValue();
            if (lease == 0) {
                continue;
            }
            final byte[] key = live.getKey().array();
            if (leaseIds.contains(lease)) {
                MvccImport.attachLease(tree.writer(), key, lease);
                attached++;
            } else {
                log.accept("warning: key " + printable(key) + " names lease " + Long.toHexString(lease)
                    + ", which the snapshot does not hold: not attached (etcd skips it too)");
            }
        }
        return attached;
    }

    private static String printable(final byte[] key) {
        final String text = new String(key, 0, Math.min(key.length, 64), StandardCharsets.UTF_8);
        return "\"" + text + (key.length > 64 ? "...\"" : "\"");
    }
}
