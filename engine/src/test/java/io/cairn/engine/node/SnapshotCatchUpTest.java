package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * leader's tree as a snapshot (streamed from an image, installed in one transaction), replays the
 * rest, and ends with the leader's data (HashKV), also after a restart of its own.
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
            final List<CompletableFuture<OpResult.Put>> puts = new ArrayList<>();
            for (int i = 0; i < WRITES; i++) {
                puts.add(cluster.member(leader).put(new TxnOp.Put(("k" + i % 500).getBytes(StandardCharsets.UTF_8),
                    ("v" + i).getBytes(StandardCharsets.UTF_8), 0, false, false, false)));
                if (puts.size() == 256) {
                    for (final CompletableFuture<OpResult.Put> put : puts) {
                        put.get(30, TimeUnit.SECONDS);
                    }
                    puts.clear();
                }
            }
            for (final CompletableFuture<OpResult.Put> put : puts) {
                put.get(30, TimeUnit.SECONDS);
            }
            final long revision = cluster.member(leader).currentRevision();
            cluster.start(behind);
            Await.until(() -> cluster.member(behind).currentRevision() == revision, 60,
                "the member behind reaches revision " + revision);
            assertEquals(cluster.member(leader).hashKv(revision), cluster.member(behind).hashKv(revision));
            assertTrue(noReceivedFilesLeft(dir.resolve("m" + (behind + 1))), "the received snapshot file is gone");
            cluster.stop(behind);
            cluster.start(behind);
            Await.until(() -> cluster.member(behind).currentRevision() == revision, 60, "the restarted member");
            final KvHash.Result after = cluster.member(behind).hashKv(revision);
            assertEquals(cluster.member(leader).hashKv(revision), after);
        }
    }

    private static boolean noReceivedFilesLeft(final Path data) throws Exception {
        try (Stream<Path> files = Files.list(data.resolve("member").resolve("snap"))) {
            return files.noneMatch(f -> f.getFileName().toString().startsWith("db.incoming"));
        }
    }
}
