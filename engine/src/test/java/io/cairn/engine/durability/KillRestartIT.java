package io.cairn.engine.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.PutResponse;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.RangeResponse;
import io.cairn.etcd.api.mvccpb.KeyValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Kills Cairn with SIGKILL in the middle of a concurrent write load, restarts it on the same data
 * directory, and checks that every acknowledged put is there with its value and revision, and that
 * the revisions have no gaps (every revision up to the current one is some put's). Repeated on the
 * same directory, so each restart also recovers what the earlier ones wrote.
 */
class KillRestartIT {
    private static final int WRITERS = 4;
    private static final int ACKS_PER_TRIAL_MAX = 300;
    private static final long TRIAL_DEADLINE_SECONDS = 60;

    @Test
    void acknowledgedPutsSurviveKill() throws Exception {
        trials(20);
    }

    @Test
    @Tag("slow")
    void acknowledgedPutsSurviveManyKills() throws Exception {
        trials(200);
    }

    private static void trials(final int count) throws Exception {
        final long seed = Long.getLong("cairn.seed", System.nanoTime());
        final Random random = new Random(seed);
        final Path dataDir = Files.createTempDirectory("cairn-kill");
        final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        try {
            for (int trial = 0; trial < count; trial++) {
                // A small --snapshot-count makes the WAL record snapshot markers (and release) between kills.
                final ServerProcess server = ServerProcess.start(ServerProcess.Kind.CAIRN, ServerProcess.freePort(),
                    ServerProcess.freePort(), dataDir, "--snapshot-count", "50");
                try {
                    verify(server, acknowledged, "trial " + trial + " (seed " + seed + ")");
                    writeUntilKilled(server, trial, 1 + random.nextInt(ACKS_PER_TRIAL_MAX), acknowledged);
                } finally {
                    server.close();
                }
            }
            final ServerProcess last = ServerProcess.start(ServerProcess.Kind.CAIRN, ServerProcess.freePort(),
                ServerProcess.freePort(), dataDir);
            try {
                verify(last, acknowledged, "after the last kill (seed " + seed + ")");
            } finally {
                last.close();
            }
        } finally {
            ServerProcess.deleteRecursively(dataDir);
        }
    }

    /** Writers put unique keys; once {@code acksBeforeKill} puts are acknowledged the server is killed. */
    private static void writeUntilKilled(final ServerProcess server, final int trial, final int acksBeforeKill,
        final Map<String, Long> acknowledged) throws Exception {
        final AtomicInteger acks = new AtomicInteger();
        final CountDownLatch enoughAcks = new CountDownLatch(acksBeforeKill);
        final List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            final int writer = w;
            writers.add(Thread.ofPlatform().start(() -> {
                final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(server.channel());
                for (int i = 0; ; i++) {
                    final String key = "t" + trial + "-w" + writer + "-" + i;
                    final PutResponse response;
                    try {
                        response = kv.withDeadlineAfter(10, TimeUnit.SECONDS).put(PutRequest.newBuilder()
                            .setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8("v" + key)).build());
                    } catch (final RuntimeException killed) {
                        return;
                    }
                    acknowledged.put(key, response.getHeader().getRevision());
                    acks.incrementAndGet();
                    enoughAcks.countDown();
                }
            }));
        }
        assertTrue(enoughAcks.await(TRIAL_DEADLINE_SECONDS, TimeUnit.SECONDS),
            "writers stalled: " + acks.get() + " acknowledgements");
        server.kill();
        for (final Thread writer : writers) {
            writer.join(TimeUnit.SECONDS.toMillis(TRIAL_DEADLINE_SECONDS));
        }
    }

    private static void verify(final ServerProcess server, final Map<String, Long> acknowledged, final String when) {
        final RangeResponse all = KVGrpc.newBlockingStub(server.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
            .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("\0"))
                .setRangeEnd(ByteString.copyFromUtf8("\0")).build());
        final Map<String, KeyValue> present = new java.util.HashMap<>();
        final TreeSet<Long> revisions = new TreeSet<>();
        for (final KeyValue kv : all.getKvsList()) {
            present.put(kv.getKey().toStringUtf8(), kv);
            revisions.add(kv.getModRevision());
            assertEquals("v" + kv.getKey().toStringUtf8(), kv.getValue().toStringUtf8(), when);
        }
        for (final Map.Entry<String, Long> ack : acknowledged.entrySet()) {
            final KeyValue kv = present.get(ack.getKey());
            assertTrue(kv != null, when + ": acknowledged put of " + ack.getKey() + " is lost");
            assertEquals(ack.getValue().longValue(), kv.getModRevision(), when + ": revision of " + ack.getKey());
        }
        final long current = all.getHeader().getRevision();
        assertEquals(current - 1, revisions.size(), when + ": revisions 2.." + current + " have gaps");
        assertTrue(revisions.isEmpty() || (revisions.first() == 2 && revisions.last() == current), when);
    }
}
