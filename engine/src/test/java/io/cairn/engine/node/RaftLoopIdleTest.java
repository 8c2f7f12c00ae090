package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.mvcc.TxnOp;
import io.cairn.engine.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Raft loop parks briefly only while it works for clients: heartbeats alone leave an idle
 * member's loop cold (they kept it waking every 50 us for 20 ms after each one, issue #21), and a
 * write makes every member's loop hot again.
 */
class RaftLoopIdleTest {
    private static final long QUIET_MILLIS = 300;

    @TempDir
    Path dir;

    @Test
    void parksBrieflyWithinTheHotWindowOfTheLastBusyCycleAndLongAfter() {
        final long busy = 1_000_000_000L;
        assertEquals(RaftLoopIdle.HOT_PARK_NANOS, RaftLoopIdle.parkNanos(busy, busy));
        assertEquals(RaftLoopIdle.HOT_PARK_NANOS, RaftLoopIdle.parkNanos(busy + RaftLoopIdle.HOT_WINDOW_NANOS - 1, busy));
        assertEquals(RaftLoopIdle.COLD_PARK_NANOS, RaftLoopIdle.parkNanos(busy + RaftLoopIdle.HOT_WINDOW_NANOS, busy));
        assertEquals(RaftLoopIdle.HOT_PARK_NANOS, RaftLoopIdle.parkNanos(Long.MIN_VALUE + 5, Long.MAX_VALUE - 5),
            "nanoTime wraps");
    }

    @Test
    void heartbeatsDoNotKeepAnIdleMembersLoopHotAndAWriteDoes() throws Exception {
        // A heartbeat every 20 ms: fifteen of them in the quiet time.
        final MemberOptions options = MemberOptions.defaults(1).withTicks(20, 10);
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, options).startAll()) {
            Await.until(() -> cluster.leader() >= 0, 30, "a leader");
            final RaftKeyValueStore leader = cluster.member(cluster.leader());
            // Publishing a member's client URLs is a proposal too: done before the quiet time.
            Await.until(() -> leader.members().stream().allMatch(m -> !m.clientUrls().isEmpty()), 30,
                "every member published its client URLs");
            put(leader, "a");
            Await.until(() -> {
                for (int i = 0; i < 3; i++) {
                    if (cluster.member(i).raftAppliedIndex() < leader.raftAppliedIndex()) {
                        return false;
                    }
                }
                return true;
            }, 30, "every member applied the put");
            Thread.sleep(QUIET_MILLIS);
            final long quietSince = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS / 2);
            for (int i = 0; i < 3; i++) {
                final long lastBusy = cluster.member(i).raftLoopLastBusyNanos();
                assertTrue(lastBusy - quietSince < 0, "member " + i + " was busy "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastBusy) + " ms ago, with only heartbeats going on");
            }
            final long beforeWrite = System.nanoTime();
            put(leader, "b");
            Await.until(() -> {
                for (int i = 0; i < 3; i++) {
                    if (cluster.member(i).raftLoopLastBusyNanos() - beforeWrite < 0) {
                        return false;
                    }
                }
                return true;
            }, 30, "every member's loop busy with the write");
        }
    }

    private static void put(final RaftKeyValueStore member, final String key) throws Exception {
        member.put(new TxnOp.Put(key.getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8), 0,
            false, false, false)).get(20, TimeUnit.SECONDS);
    }
}
