package io.cairn.engine.migrate;

import io.cairn.engine.backend.Bucket;
import io.cairn.engine.migrate.bolt.BoltBucket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * etcd's auth buckets (`auth`: the enabled flag and auth revision; `authUsers`, `authRoles`: authpb
 * messages), copied byte for byte into Cairn's {@code ETCD_AUTH*} buckets. Their users and roles are
 * not converted into Cairn's auth store yet, so a snapshot with auth enabled is refused: migrated,
 * its keys would be open to every client.
 */
final class EtcdAuthBuckets {
    static final String AUTH = "auth";
    static final String USERS = "authUsers";
    static final String ROLES = "authRoles";
    private static final byte[] ENABLED_KEY = "authEnabled".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ENABLED = {1};

    private EtcdAuthBuckets() {
    }

    /** Refuses a snapshot whose etcd had auth enabled. {@code auth} may be null (no auth bucket). */
    static void checkDisabled(final Path file, final BoltBucket auth) throws IOException {
        if (auth == null) {
            return;
        }
        final boolean[] enabled = new boolean[1];
        auth.forEach(entry -> enabled[0] |= Arrays.equals(entry.key(), ENABLED_KEY) && Arrays.equals(entry.value(), ENABLED));
        if (enabled[0]) {
            throw new EtcdSnapshotException(file, "auth is enabled in this snapshot, and the migration does not carry"
                + " etcd's users and roles over yet: every client could read and write every key. Run `etcdctl auth disable` against etcd,"
                + " save a new snapshot and migrate that one");
        }
    }

    /** Copies {@code source} (may be null) into {@code target}; returns how many entries it held. */
    static long copy(final Path file, final BoltBucket source, final Bucket target, final TreeBatches tree)
        throws IOException {
        if (source == null) {
            return 0;
        }
        final long[] copied = new long[1];
        source.forEach(entry -> {
            if (entry.nestedBucket()) {
                throw new EtcdSnapshotException(file, "bucket " + source.name() + " holds a nested bucket");
            }
            tree.writer().put(target, entry.key(), entry.value());
            copied[0]++;
        });
        return copied[0];
    }
}
