package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.btree.WriteTxn;
import io.cairn.engine.mvcc.KvHash;
import io.cairn.engine.mvcc.OpResult;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.engine.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member down while the others write past several log compactions comes back, gets the
 * leader's tree as a snapshot (streamed from an image, swapped in as the tree's file by the apply thread), replays the
 * rest, and ends with the leader's data (HashKV), also after a restart of its own, which deletes a
 * received file the tree already holds.
 */
class SnapshotCatchUpTest {
    private static final int WRITES = 3_000;

    @TempDir
    Path dir;

    @Test
    void aMemberBehindTheLeadersLogCatchesUpBySnapshot() throws Exception {
        final MemberOptions options = MemberOptions.defaults(1).withTicks(20, 10).withSnapshotCount(200);
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, options).startAll()) {
            Await.until(() -> cluster.leader() >= 0, 30, "a leader");
            final int leader = cluster.leader();
            final int behind = (leader + 1) % 3;
            cluster.stop(behind);
            putWrites(cluster.member(leader));
            final long revision = cluster.member(leader).currentRevision();
            final Path tree = dir.resolve("m" + (behind + 1)).resolve("member").resolve("snap").resolve("db");
            final Object treeFileBefore = Files.getAttribute(tree, "unix:ino");
            cluster.start(behind);
            Await.until(() -> cluster.member(behind).currentRevision() == revision, 60,
                "the member behind reaches revision " + revision);
            assertEquals(cluster.member(leader).hashKv(revision), cluster.member(behind).hashKv(revision));
            assertTrue(noReceivedFilesLeft(dir.resolve("m" + (behind + 1))), "the received snapshot file is gone");
            assertNotEquals(treeFileBefore, Files.getAttribute(tree, "unix:ino"),
                "the received file became the tree's file (a swap, not a copy: issue #21)");
            cluster.stop(behind);
            // A member stopped after an install but before its file was deleted: the restart deletes it.
            final Path snap = dir.resolve("m" + (behind + 1)).resolve("member").resolve("snap");
            Files.write(snap.resolve("db.incoming-1-7"), new byte[] {1});
            cluster.start(behind);
            assertTrue(noReceivedFilesLeft(dir.resolve("m" + (behind + 1))), "an installed snapshot's file is deleted");
            Await.until(() -> cluster.member(behind).currentRevision() == revision, 60, "the restarted member");
            final KvHash.Result after = cluster.member(behind).hashKv(revision);
            assertEquals(cluster.member(leader).hashKv(revision), after);
        }
    }

    /**
     * While the apply thread installs a leader's snapshot (held up here by a write transaction the
     * test keeps open on the member's tree), the member's Raft loop goes on: it takes the entries
     * after the snapshot from the leader and learns they are committed. A loop that waited for the
     * install answered nothing for its whole length (seconds for gigabytes), and a leader whose
     * quorum needed the member stepped down.
     */
    @Test
    void theRaftLoopGoesOnWhileTheSnapshotInstalls() throws Exception {
        final MemberOptions options = MemberOptions.defaults(1).withTicks(20, 10).withSnapshotCount(200);
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, options).startAll()) {
            Await.until(() -> cluster.leader() >= 0, 30, "a leader");
            final int leader = cluster.leader();
            final int behind = (leader + 1) % 3;
            // Publishing client URLs is a proposal too: done before the member is cut off.
            Await.until(() -> cluster.member(leader).members().stream().allMatch(m -> !m.clientUrls().isEmpty()), 30,
                "every member published its client URLs");
            put(cluster, leader, "before", 0);
            final RaftKeyValueStore member = cluster.member(behind);
            // Nothing committed may reach the member after the test holds its tree's writer but
            // before the snapshot: applying it would wait for the test (the install is what is tested).
            Await.until(() -> member.raftAppliedIndex() == cluster.member(leader).raftIndex()
                && cluster.member(leader).raftAppliedIndex() == cluster.member(leader).raftIndex(), 30,
                "the member applied everything committed so far");
            cluster.isolate(behind);
            putWrites(cluster.member(leader));
            final long snapshotAtLeast = cluster.member(leader).raftAppliedIndex();
            final WriteTxn hold = member.beginTreeWrite();
            try {
                cluster.heal();
                // Raft's log on the member starts after the snapshot once its Ready was taken up.
                Await.until(() -> member.raftLogFirstIndex() > snapshotAtLeast, 60, "the snapshot reaches the member");
                for (int i = 0; i < 5; i++) {
                    put(cluster, leader, "after", i);
                }
                final long committed = cluster.member(leader).raftIndex();
                Await.until(() -> member.raftIndex() >= committed, 30, "the member learns of the entries after the"
                    + " snapshot while its install waits (commit index " + member.raftIndex() + ", leader's "
                    + committed + ")");
                assertTrue(member.raftAppliedIndex() < snapshotAtLeast, "the install waited for the test");
            } finally {
                hold.abort();
            }
            final long revision = cluster.member(leader).currentRevision();
            Await.until(() -> member.currentRevision() == revision, 60, "the member reaches revision " + revision);
            assertEquals(cluster.member(leader).hashKv(revision), member.hashKv(revision));
        }
    }

    private static void put(final InJvmCluster cluster, final int leader, final String key, final int value)
        throws Exception {
        cluster.member(leader).put(new TxnOp.Put(key.getBytes(StandardCharsets.UTF_8),
            ("v" + value).getBytes(StandardCharsets.UTF_8), 0, false, false, false)).get(30, TimeUnit.SECONDS);
    }

    /** WRITES puts to 500 keys, 256 in flight. */
    private static void putWrites(final RaftKeyValueStore leader) throws Exception {
        final List<CompletableFuture<OpResult.Put>> puts = new ArrayList<>();
        for (int i = 0; i < WRITES; i++) {
            puts.add(leader.put(new TxnOp.Put(("k" + i % 500).getBytes(StandardCharsets.UTF_8),
                ("v" + i).getBytes(StandardCharsets.UTF_8), 0, false, false, false)));
            if (puts.size() == 256 || i == WRITES - 1) {
                for (final CompletableFuture<OpResult.Put> put : puts) {
                    put.get(30, TimeUnit.SECONDS);
                }
                puts.clear();
            }
        }
    }

    private static boolean noReceivedFilesLeft(final Path data) throws Exception {
        try (Stream<Path> files = Files.list(data.resolve("member").resolve("snap"))) {
            return files.noneMatch(f -> f.getFileName().toString().startsWith("db.incoming"));
        }
    }
}
