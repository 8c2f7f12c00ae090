package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cairn.btree.TreeImage;
import io.cairn.engine.cluster.InitialMembers;
import io.cairn.engine.cluster.Member;
import io.cairn.engine.mvcc.KeyRange;
import io.cairn.engine.mvcc.KeyValue;
import io.cairn.engine.mvcc.RangeQuery;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.posix.NativePosix;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `cairn snapshot restore` in one JVM: a member's backend image with its SHA-256 trailer (what
 * Maintenance.Snapshot streams) becomes the data dir of a member of a new cluster, which serves
 * the snapshot's keys at their revisions and takes writes; a damaged or unhashed file and an
 * existing data dir are refused with etcdctl's messages.
 */
class SnapshotRestoreTest {
    private static final URI NEW_PEER = URI.create("http://127.0.0.1:12380");

    @TempDir
    Path dir;

    @Test
    void aRestoredMemberServesTheSnapshotAsANewCluster() throws Exception {
        final Path snapshot = dir.resolve("snapshot.db");
        final long revision;
        try (RaftKeyValueStore source = RaftKeyValueStore.open(dir.resolve("source"),
            dir.resolve("source").resolve("wal"), MemberOptions.defaults(1))) {
            source.linearizableRead().get(20, TimeUnit.SECONDS);
            for (int i = 0; i < 30; i++) {
                put(source, "k" + (i % 10), "v" + i);
            }
            revision = source.currentRevision();
            writeSnapshot(source, snapshot);
            put(source, "later", "not in the snapshot");
        }

        final InitialMembers members = InitialMembers.of(Map.of("r", List.of(NEW_PEER)), "new-token", "r", List.of(NEW_PEER));
        final Path data = dir.resolve("restored");
        final List<String> log = new ArrayList<>();
        SnapshotRestore.restore(snapshot, data, data.resolve("member").resolve("wal"), members, "r", false, log::add);
        assertFalse(log.isEmpty());

        final long memberId = members.idOf("r");
        try (RaftKeyValueStore restored = RaftKeyValueStore.open(data, data.resolve("member").resolve("wal"),
            MemberOptions.defaults(memberId), new ClusterOptions("r", members, List.of("http://127.0.0.1:12379"),
                NEW_PEER.toString(), null, null), NativePosix.INSTANCE)) {
            restored.linearizableRead().get(20, TimeUnit.SECONDS);
            assertEquals(revision, restored.currentRevision());
            assertArrayEquals(bytes("v29"), get(restored, "k9").getFirst().value());
            assertEquals(List.of(), get(restored, "later"));
            assertEquals(List.of(memberId), restored.members().stream().map(Member::id).toList());
            assertEquals(memberId, restored.status().memberId());
            assertEquals(members.clusterId(), restored.status().clusterId());
            put(restored, "after", "restore");
            assertEquals(revision + 1, restored.currentRevision());
        }
    }

    @Test
    void aDamagedOrUnhashedSnapshotAndAnExistingDataDirAreRefused() throws IOException {
        final InitialMembers members = InitialMembers.of(Map.of("r", List.of(NEW_PEER)), "t", "r", List.of(NEW_PEER));
        final Path unhashed = Files.write(dir.resolve("unhashed.db"), new byte[8192]);
        assertEquals("snapshot missing hash but --skip-hash-check=false", assertThrows(IllegalArgumentException.class,
            () -> SnapshotRestore.restore(unhashed, dir.resolve("a"), dir.resolve("a/wal"), members, "r", false,
                line -> { })).getMessage());

        final Path damaged = Files.write(dir.resolve("damaged.db"), new byte[8192 + 32]);
        final String message = assertThrows(IllegalArgumentException.class,
            () -> SnapshotRestore.restore(damaged, dir.resolve("b"), dir.resolve("b/wal"), members, "r", false,
                line -> { })).getMessage();
        assertEquals("expected sha256 " + "00".repeat(32) + ", got ", message.substring(0, message.indexOf("got ") + 4));
        assertFalse(Files.exists(dir.resolve("b")), "nothing is left behind by a refused restore");

        final Path existing = Files.createDirectories(dir.resolve("existing"));
        assertEquals("data-dir \"" + existing + "\" exists", assertThrows(IllegalArgumentException.class,
            () -> SnapshotRestore.restore(damaged, existing, existing.resolve("wal"), members, "r", true,
                line -> { })).getMessage());
    }

    /** What Maintenance.Snapshot streams: the image, then the SHA-256 of it. */
    private static void writeSnapshot(final RaftKeyValueStore store, final Path file) throws Exception {
        final MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        try (TreeImage image = store.openBackendImage();
             FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            for (long offset = 0; offset < image.sizeBytes(); ) {
                buffer.clear();
                buffer.limit((int)Math.min(buffer.capacity(), image.sizeBytes() - offset));
                offset += image.read(offset, buffer);
                buffer.flip();
                sha256.update(buffer.duplicate());
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
            }
            out.write(ByteBuffer.wrap(sha256.digest()));
        }
    }

    private static void put(final RaftKeyValueStore store, final String key, final String value) throws Exception {
        store.put(new TxnOp.Put(bytes(key), bytes(value), 0, false, false, false)).get(20, TimeUnit.SECONDS);
    }

    private static List<KeyValue> get(final RaftKeyValueStore store, final String key) {
        return store.range(RangeQuery.of(KeyRange.of(bytes(key), new byte[0]))).kvs();
    }

    private static byte[] bytes(final String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
