package io.cairn.engine.migrate;

import io.cairn.engine.auth.AuthState;
import io.cairn.engine.auth.AuthTable;
import io.cairn.engine.backend.Bucket;
import io.cairn.engine.cluster.InitialMembers;
import io.cairn.engine.migrate.bolt.BoltBucket;
import io.cairn.engine.migrate.bolt.BoltFile;
import io.cairn.engine.mvcc.MvccImport;
import io.cairn.engine.node.SnapshotFile;
import io.cairn.engine.node.SnapshotRestore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * `cairn migrate --from-etcd-snapshot`: a new member's data dir from a snapshot of etcd 3.4 (a
 * bbolt file, read without bbolt). etcd's buckets become Cairn's: `key` (every revision and
 * version, tombstones included), `meta` (the compaction point), `lease` (with keys attached) and
 * the auth buckets (copied raw). The rest of the member (membership, ids, applied index, an empty
 * WAL) is built by the same code as `cairn snapshot restore`, so a migrated member starts as a
 * restored one does. Everything is checked before the data dir is created, or while it is being
 * written; a refused migration leaves nothing behind.
 */
public final class EtcdSnapshotMigration {
    /**
     * etcdctl's rule for whether a snapshot ends with its SHA-256 (clientv3/snapshot, hasChecksum):
     * a bbolt file is whole pages, and pages are whole 512-byte sectors, so 32 bytes more is the hash.
     */
    static final int HASH_ALIGNMENT_BYTES = 512;
    private static final String KEY = "key";
    private static final String META = "meta";
    private static final String LEASE = "lease";
    /** etcd buckets a new cluster's member does not take, and why. */
    private static final Map<String, String> NOT_CARRIED = Map.of(
        "members", "the new membership comes from the flags",
        "members_removed", "the new membership comes from the flags",
        "cluster", "Cairn reports its own cluster version",
        "alarm", "its alarms name the old cluster's members");

    /** What a migration carried over (for its log line and the README's figures). */
    public record Report(long keyVersions, long deletes, long liveKeys, long leases, long attachedKeys,
                         long currentRevision, long compactRevision, long authEntries, long etcdBytes,
                         long cairnBytes) {
    }

    private EtcdSnapshotMigration() {
    }

    /**
     * Builds {@code dataDir} (which must not exist) from the etcd snapshot {@code snapshot}.
     *
     * @throws IllegalArgumentException for a refused input (not a bbolt file, truncated, a bad meta
     *                                  checksum or hash, a missing bucket, content etcd would not
     *                                  have written, auth enabled, an existing data dir), with a
     *                                  one-line reason naming the file
     */
    public static Report migrate(final Path snapshot, final Path dataDir, final Path walDir, final InitialMembers members,
        final String name, final boolean skipHashCheck, final Consumer<String> log) throws IOException {
        final SnapshotFile file = SnapshotFile.of(snapshot, dataDir, HASH_ALIGNMENT_BYTES);
        if (!file.hasHash() && !skipHashCheck) {
            throw new EtcdSnapshotException(snapshot, "snapshot missing hash but --skip-hash-check=false (its "
                + Files.size(snapshot) + " bytes are not whole " + HASH_ALIGNMENT_BYTES + "-byte sectors plus a "
                + SnapshotFile.SHA256_BYTES + "-byte SHA-256: truncated, or not written by etcdctl snapshot save)");
        }
        final long boltBytes = file.contentBytes();
        if (file.hasHash() && !skipHashCheck) {
            try {
                file.checkHash();
            } catch (final IllegalArgumentException e) {
                throw new EtcdSnapshotException(snapshot, e.getMessage());
            }
        }
        try (BoltFile bolt = BoltFile.open(snapshot, boltBytes)) {
            final EtcdBuckets buckets = EtcdBuckets.find(bolt, log);
            final EtcdMeta meta = EtcdMeta.read(snapshot, buckets.meta);
            log.accept("migrating etcd snapshot " + snapshot + " (" + boltBytes + " bytes, bbolt txid " + bolt.txid()
                + ", etcd's applied index " + meta.consistentIndex() + ") to " + dataDir);
            final Report[] report = new Report[1];
            SnapshotRestore.buildMember(dataDir, walDir, members, name,
                partial -> report[0] = fill(snapshot, buckets, meta, partial, boltBytes, log), log);
            log.accept("migrated etcd snapshot " + snapshot + " as member " + Long.toHexString(members.idOf(name)) + " ("
                + name + ") of cluster " + Long.toHexString(members.clusterId()) + ": " + describe(report[0]));
            return report[0];
        }
    }

    private static Report fill(final Path snapshot, final EtcdBuckets buckets, final EtcdMeta meta, final Path partial,
        final long boltBytes, final Consumer<String> log) throws IOException {
        try (TreeBatches tree = TreeBatches.create(partial, boltBytes)) {
            final Set<Long> leaseIds = EtcdLeases.migrate(snapshot, buckets.lease, tree);
            final EtcdKeyHistory.Result history = EtcdKeyHistory.migrate(snapshot, buckets.key, leaseIds, tree, log);
            final long compact = meta.compactRevision();
            // etcd's rule on restart: a compaction may have removed every version at the top, so the
            // current revision is at least the compaction point; an empty store is at revision 1.
            final long current = Math.max(1, Math.max(history.lastMainRevision(), compact));
            MvccImport.revisions(tree.writer(), current, compact, meta.finishedCompactRevision());
            final AuthState auth = EtcdAuthBuckets.convert(snapshot, buckets.auth, buckets.authUsers, buckets.authRoles);
            AuthTable.write(tree.writer(), AuthState.empty(), auth);
            final long authEntries = EtcdAuthBuckets.copy(snapshot, buckets.auth, Bucket.ETCD_AUTH, tree)
                + EtcdAuthBuckets.copy(snapshot, buckets.authUsers, Bucket.ETCD_AUTH_USERS, tree)
                + EtcdAuthBuckets.copy(snapshot, buckets.authRoles, Bucket.ETCD_AUTH_ROLES, tree);
            tree.finish();
            log.accept("auth " + (auth.enabled() ? "enabled" : "disabled") + ", revision " + auth.revision() + ": "
                + auth.users().size() + " users, " + auth.roles().size() + " roles carried over");
            return new Report(history.versions(), history.deletes(), history.liveKeys(), leaseIds.size(),
                history.attachedKeys(), current, compact, authEntries, boltBytes, tree.fileSizeBytes());
        }
    }

    private static String describe(final Report report) {
        return report.keyVersions() + " versions (" + report.deletes() + " of them deletes) of " + report.liveKeys()
            + " live keys, " + report.leases() + " leases (" + report.attachedKeys() + " keys attached), revision "
            + report.currentRevision() + ", compacted at " + report.compactRevision() + ", " + report.authEntries()
            + " auth entries (converted, and kept raw); tree " + report.cairnBytes() + " bytes";
    }

    /** etcd's top-level buckets that a migration reads; the required ones checked present. */
    private static final class EtcdBuckets {
        BoltBucket key;
        BoltBucket meta;
        BoltBucket lease;
        BoltBucket auth;
        BoltBucket authUsers;
        BoltBucket authRoles;

        static EtcdBuckets find(final BoltFile bolt, final Consumer<String> log) throws IOException {
            final BoltBucket root = bolt.root();
            final List<String> names = new ArrayList<>();
            root.forEach(entry -> {
                if (entry.nestedBucket()) {
                    names.add(new String(entry.key(), StandardCharsets.UTF_8));
                }
            });
            final EtcdBuckets buckets = new EtcdBuckets();
            buckets.key = required(bolt, root, names, KEY);
            buckets.meta = required(bolt, root, names, META);
            buckets.lease = required(bolt, root, names, LEASE);
            buckets.auth = root.bucket(EtcdAuthBuckets.AUTH);
            buckets.authUsers = root.bucket(EtcdAuthBuckets.USERS);
            buckets.authRoles = root.bucket(EtcdAuthBuckets.ROLES);
            for (final String name : names) {
                if (NOT_CARRIED.containsKey(name)) {
                    log.accept("not carried over: etcd's bucket " + name + " (" + NOT_CARRIED.get(name) + ")");
                } else if (!Set.of(KEY, META, LEASE, EtcdAuthBuckets.AUTH, EtcdAuthBuckets.USERS, EtcdAuthBuckets.ROLES)
                    .contains(name)) {
                    log.accept("warning: not carried over: bucket " + name + ", which etcd 3.4 does not write");
                }
            }
            return buckets;
        }

        private static BoltBucket required(final BoltFile bolt, final BoltBucket root, final List<String> names,
            final String name) throws IOException {
            final BoltBucket bucket = root.bucket(name);
            if (bucket == null) {
                throw new EtcdSnapshotException(bolt.path(), "bucket \"" + name + "\" is missing (buckets found: "
                    + names + "); not an etcd snapshot?");
            }
            return bucket;
        }
    }
}
