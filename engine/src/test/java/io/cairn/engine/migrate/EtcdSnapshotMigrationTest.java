package io.cairn.engine.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.cluster.InitialMembers;
import io.cairn.engine.migrate.bolt.BoltTestFile;
import io.cairn.engine.migrate.bolt.BoltTestFile.Entry;
import io.cairn.etcd.api.leasepb.Lease;
import io.cairn.etcd.api.mvccpb.KeyValue;
import com.google.protobuf.ByteString;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Migrations of hand-made etcd snapshots: what is carried, and what is refused with nothing left behind. */
class EtcdSnapshotMigrationTest {
    private static final URI PEER = URI.create("http://127.0.0.1:2380");
    private static final InitialMembers MEMBERS = InitialMembers.of(Map.of("m", List.of(PEER)), "t", "m", List.of(PEER));

    @TempDir
    Path dir;

    private final List<String> log = new ArrayList<>();

    /** An etcd snapshot with a put, a delete of it, a leased put, one lease, and a compaction at 2. */
    private static byte[] etcdFile(final boolean withLease, final boolean authEnabled) {
        final BoltTestFile file = new BoltTestFile();
        final List<Entry> keys = List.of(
            new Entry(revision(2, 0, false), KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("a"))
                .setCreateRevision(2).setModRevision(2).setVersion(1).setValue(ByteString.copyFromUtf8("1")).build()
                .toByteArray(), false),
            new Entry(revision(3, 0, true), KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("a")).build()
                .toByteArray(), false),
            new Entry(revision(4, 0, false), KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("b"))
                .setCreateRevision(4).setModRevision(4).setVersion(1).setLease(7).build().toByteArray(), false));
        final long keyPage = file.leaf(keys);
        final List<Entry> root = new ArrayList<>();
        root.add(Entry.bucket("auth", BoltTestFile.inlineBucket(List.of(Entry.of("authEnabled",
            new byte[] {(byte)(authEnabled ? 1 : 0)})))));
        root.add(Entry.bucket("key", BoltTestFile.bucketAt(keyPage)));
        if (withLease) {
            root.add(Entry.bucket("lease", BoltTestFile.inlineBucket(List.of(new Entry(
                ByteBuffer.allocate(8).putLong(7).array(), Lease.newBuilder().setID(7).setTTL(60).build().toByteArray(),
                false)))));
        }
        root.add(Entry.bucket("meta", BoltTestFile.inlineBucket(List.of(
            Entry.of("finishedCompactRev", revision(2, 0, false))))));
        return file.build(file.leaf(root), 3, 4);
    }

    private static byte[] revision(final long main, final long sub, final boolean tombstone) {
        final ByteBuffer bytes = ByteBuffer.allocate(tombstone ? 18 : 17).putLong(main).put((byte)'_').putLong(sub);
        if (tombstone) {
            bytes.put((byte)'t');
        }
        return bytes.array();
    }

    @Test
    void carriesHistoryLeasesAndTheCompactionPoint() throws Exception {
        final Path snapshot = withTrailer(etcdFile(true, false));
        final Path dataDir = dir.resolve("data");
        final EtcdSnapshotMigration.Report report = EtcdSnapshotMigration.migrate(snapshot, dataDir,
            dataDir.resolve("member").resolve("wal"), MEMBERS, "m", false, log::add);
        assertEquals(3, report.keyVersions());
        assertEquals(1, report.deletes());
        assertEquals(1, report.liveKeys());
        assertEquals(1, report.leases());
        assertEquals(1, report.attachedKeys());
        assertEquals(4, report.currentRevision());
        assertEquals(2, report.compactRevision());
        assertTrue(Files.isRegularFile(dataDir.resolve("member").resolve("snap").resolve("db")));
    }

    @Test
    void refusesAMissingBucketLeavingNoDataDir() throws Exception {
        final Path snapshot = withTrailer(etcdFile(false, false));
        final Path dataDir = dir.resolve("data");
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () ->
            EtcdSnapshotMigration.migrate(snapshot, dataDir, dataDir.resolve("wal"), MEMBERS, "m", false, log::add));
        assertEquals(snapshot + ": bucket \"lease\" is missing (buckets found: [auth, key, meta]); not an etcd snapshot?",
            refused.getMessage());
        assertFalse(Files.exists(dataDir));
    }

    /** Users and roles are carried over too (EtcdAuthMigrationDifferentialIT checks them with etcdctl). */
    @Test
    void carriesTheAuthEnabledFlag() throws Exception {
        final Path snapshot = withTrailer(etcdFile(true, true));
        final Path dataDir = dir.resolve("data");
        EtcdSnapshotMigration.migrate(snapshot, dataDir, dataDir.resolve("wal"), MEMBERS, "m", false, log::add);
        assertTrue(log.stream().anyMatch(line -> line.startsWith("auth enabled, revision 1: 0 users, 0 roles")),
            String.valueOf(log));
    }

    @Test
    void checksTheTrailerAsEtcdctlDoes() throws Exception {
        final byte[] file = etcdFile(true, false);
        final Path noTrailer = dir.resolve("no-trailer.db");
        Files.write(noTrailer, file);
        final Path dataDir = dir.resolve("data");
        final IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () ->
            EtcdSnapshotMigration.migrate(noTrailer, dataDir, dataDir.resolve("wal"), MEMBERS, "m", false, log::add));
        assertTrue(missing.getMessage().startsWith(noTrailer + ": snapshot missing hash but --skip-hash-check=false"),
            missing.getMessage());

        final Path badTrailer = withTrailer(file);
        final byte[] bytes = Files.readAllBytes(badTrailer);
        bytes[bytes.length - 1] ^= 1;
        Files.write(badTrailer, bytes);
        final IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () ->
            EtcdSnapshotMigration.migrate(badTrailer, dataDir, dataDir.resolve("wal"), MEMBERS, "m", false, log::add));
        assertTrue(wrong.getMessage().startsWith(badTrailer + ": expected sha256 "), wrong.getMessage());
        assertFalse(Files.exists(dataDir));

        EtcdSnapshotMigration.migrate(noTrailer, dataDir, dataDir.resolve("member").resolve("wal"), MEMBERS, "m", true,
            log::add);
        assertTrue(Files.exists(dataDir));
    }

    private Path withTrailer(final byte[] file) throws Exception {
        final byte[] sha = MessageDigest.getInstance("SHA-256").digest(file);
        final Path path = Files.createTempFile(dir, "snapshot", ".db");
        Files.write(path, ByteBuffer.allocate(file.length + sha.length).put(file).put(sha).array());
        return path;
    }
}
