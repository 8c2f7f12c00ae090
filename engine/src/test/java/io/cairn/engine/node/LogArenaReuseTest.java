package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.mvcc.KeyRange;
import io.cairn.engine.mvcc.KeyValue;
import io.cairn.engine.mvcc.RangeQuery;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.engine.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader's puts are encoded into log arena chunks that are reused after WAL releases: with many puts in flight, a
 * release every 2,000 entries and a follower cut off for 1,500 puts (it then catches up from the leader's log), every
 * member must still apply every put's own bytes (a chunk handed out again while an entry in it was unapplied, or
 * still to be sent to a follower, would give some key another put's value).
 */
class LogArenaReuseTest {
    private static final int PUTS = 12_000;
    private static final int IN_FLIGHT = 64;
    private static final int VALUE_BYTES_MAX = 3_000;

    @TempDir
    Path dir;

    @Test
    void everyMemberAppliesEveryPutsOwnBytesWhileChunksAreReused() throws Exception {
        final long seed = Long.getLong("cairn.test.seed", System.nanoTime());
        System.out.println("LogArenaReuseTest seed " + seed + " (replay: -Dcairn.test.seed=" + seed + ")");
        final MemberOptions options = MemberOptions.defaults(1).withTicks(20, 10).withSnapshotCount(2_000);
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, options).startAll()) {
            Await.until(() -> cluster.leader() >= 0, 30, "a leader");
            final int leader = cluster.leader();
            final int cutOff = (leader + 2) % 3;
            final Semaphore inFlight = new Semaphore(IN_FLIGHT);
            final List<CompletableFuture<?>> puts = new ArrayList<>(PUTS);
            long valueBytes = 0;
            for (int i = 0; i < PUTS; i++) {
                final byte[] value = valueOf(seed, i);
                valueBytes += value.length;
                inFlight.acquire();
                if (i == 3_000) {
                    cluster.isolate(cutOff);
                } else if (i == 4_500) {
                    cluster.heal();
                }
                // Most puts at the leader (its arena); every tenth through a follower (forwarded).
                final RaftKeyValueStore member = cluster.member(i % 10 == 9 ? (leader + 1) % 3 : leader);
                puts.add(member.put(new TxnOp.Put(keyOf(i), value, 0, false, false, false))
                    .whenComplete((result, failure) -> inFlight.release()));
            }
            for (final CompletableFuture<?> put : puts) {
                put.get(60, TimeUnit.SECONDS);
            }
            final long last = cluster.member(leader).raftAppliedIndex();
            for (int m = 0; m < 3; m++) {
                final RaftKeyValueStore member = cluster.member(m);
                Await.until(() -> member.raftAppliedIndex() >= last, 60, "member " + m + " applies everything");
                final List<KeyValue> kvs = member.range(RangeQuery.of(KeyRange.of("k".getBytes(StandardCharsets.UTF_8),
                    "l".getBytes(StandardCharsets.UTF_8)))).kvs();
                assertEquals(PUTS, kvs.size(), "member " + m);
                for (final KeyValue kv : kvs) {
                    final int i = Integer.parseInt(new String(kv.key(), StandardCharsets.UTF_8).substring(1));
                    assertArrayEquals(valueOf(seed, i), kv.value(), "member " + m + " key k" + i + " (seed " + seed + ")");
                }
            }
            final long chunksWithoutReuse = valueBytes / LogArena.CHUNK_BYTES;
            final long made = cluster.member(leader).logArenaChunksMade();
            assertTrue(made > 0 && made < chunksWithoutReuse, "the leader's arena reused its chunks: made " + made
                + " for " + chunksWithoutReuse + " chunks of values");
        }
    }

    private static byte[] keyOf(final int i) {
        return String.format("k%06d", i).getBytes(StandardCharsets.UTF_8);
    }

    /** Put i's value: its length and bytes follow from the seed and i alone. */
    private static byte[] valueOf(final long seed, final int i) {
        final Random random = new Random(seed * 31 + i);
        final byte[] value = new byte[1 + random.nextInt(VALUE_BYTES_MAX)];
        random.nextBytes(value);
        return value;
    }
}
