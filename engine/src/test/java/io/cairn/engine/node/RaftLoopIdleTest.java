package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.cluster.Member;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.posix.NativePosix;
import io.cairn.raft.Message;
import io.cairn.transport.InboundHandler;
import io.cairn.engine.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the Raft loop idles. Heartbeats alone leave an idle member's loop cold (they kept it waking
 * every 50 us for 20 ms after each one, issue #21), and a write makes every member's loop hot
 * again. Members sleep on their peers' sockets: an idle member's loop runs a duty cycle when a
 * datagram arrives or a wait ends, not every millisecond.
 */
class RaftLoopIdleTest {
    private static final long QUIET_MILLIS = 300;
    /**
     * Duty cycles an idle member may run in a second. Parked 1 ms at a time between polls, as a
     * member whose peers cannot be waited on does, a loop runs about 900; asleep on its sockets,
     * it wakes for the ticks, the heartbeats and their answers, Aeron's own heartbeats and status
     * messages, and each cold wait's end: about 100-200.
     */
    private static final long IDLE_CYCLES_PER_SECOND_MAX = 450;

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
    void waitsOnThePeersBrieflyWhenHotAndLongWhenColdAndParksWhenTheyCannotBeWaitedOn() {
        final List<Long> waits = new ArrayList<>();
        final long now = System.nanoTime();
        new RaftLoopIdle(() -> now, timeoutMs -> waits.add(timeoutMs)).idle(0);
        new RaftLoopIdle(() -> now - RaftLoopIdle.HOT_WINDOW_NANOS, timeoutMs -> waits.add(timeoutMs)).idle(0);
        new RaftLoopIdle(() -> now, timeoutMs -> waits.add(timeoutMs)).idle(1); // work done: no wait at all
        assertEquals(List.of(RaftLoopIdle.HOT_WAIT_MS, RaftLoopIdle.COLD_WAIT_MS), waits);

        final List<Long> refused = new ArrayList<>();
        new RaftLoopIdle(() -> now, timeoutMs -> {
            refused.add(timeoutMs);
            return false; // a driver with threads of its own: the loop parks instead
        }).idle(0);
        assertEquals(List.of(RaftLoopIdle.HOT_WAIT_MS), refused);
    }

    @Test
    void heartbeatsDoNotKeepAnIdleMembersLoopHotAndAWriteDoes() throws Exception {
        // A heartbeat every 20 ms: fifteen of them in the quiet time.
        final MemberOptions options = MemberOptions.defaults(1).withTicks(20, 10);
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, options).startAll()) {
            final RaftKeyValueStore leader = quietAfterAPut(cluster);
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

    @Test
    void anIdleMembersLoopSleepsOnItsPeersSocketsInsteadOfPollingThemOnATimer() throws Exception {
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, MemberOptions.defaults(1)).startAll()) {
            quietAfterAPut(cluster);
            assertFewDutyCyclesInAnIdleSecond(List.of("member 0", "member 1", "member 2"),
                List.of(cluster.member(0), cluster.member(1), cluster.member(2)));
            // And it still answers at once when woken: a write goes through every member.
            put(cluster.member(cluster.leader()), "c");
        }
    }

    @Test
    void aMemberAloneSleepsUntilWokenInsteadOfParkingOnATimer() throws Exception {
        try (RaftKeyValueStore member = RaftKeyValueStore.open(dir.resolve("data"), dir.resolve("wal"),
            MemberOptions.defaults(1))) {
            put(member, "a");
            Thread.sleep(QUIET_MILLIS);
            assertFewDutyCyclesInAnIdleSecond(List.of("a member alone"), List.of(member));
            put(member, "b"); // a proposal wakes it
        }
    }

    /**
     * Every way the loop is woken (a proposal, the WAL's sync done, the apply thread's results) must end
     * a wait on the peers' sockets too, which an unpark does not: `Selector.select` returns only on a
     * datagram, its own `wakeup()`, or its timeout. These peers model that and never time out, so a
     * wake that reaches only the thread's park leaves the put waiting for ever.
     */
    @Test
    void everyWakeOfTheLoopEndsItsWaitOnThePeers() throws Exception {
        final WaitOnlyForAWakeUp peers = new WaitOnlyForAWakeUp();
        try (RaftKeyValueStore member = RaftKeyValueStore.open(dir.resolve("data"), dir.resolve("wal"),
            MemberOptions.defaults(1), ClusterOptions.single(1), NativePosix.INSTANCE, (storage, alone) -> peers)) {
            for (int i = 0; i < 20; i++) {
                put(member, "k" + i);
                Thread.sleep(20); // the loop goes back to its wait in between
            }
            assertTrue(peers.waits.get() > 0, "the loop never waited on its peers");
        }
    }

    /** A member alone whose wait on its peers ends only at {@link #wakeUp} or an interrupt. */
    private static final class WaitOnlyForAWakeUp implements Peers {
        private final Semaphore wakeUps = new Semaphore(0);
        private final AtomicLong waits = new AtomicLong();

        @Override
        public boolean awaitTraffic(final long timeoutMs) {
            waits.incrementAndGet();
            try {
                wakeUps.acquire();
            } catch (final InterruptedException closing) {
                // As a selector's wait ends when its thread is interrupted (the loop's runner does so at close).
                Thread.currentThread().interrupt();
            }
            wakeUps.drainPermits();
            return true;
        }

        @Override
        public void wakeUp() {
            wakeUps.release();
        }

        @Override
        public boolean send(final Message message) {
            return false;
        }

        @Override
        public int poll(final InboundHandler inbound) {
            return 0;
        }

        @Override
        public void flush() {
        }

        @Override
        public void members(final List<Member> members, final Set<Long> removedIds) {
        }

        @Override
        public void close() {
        }
    }

    /** Counts each member's duty cycles over one idle second: fewer than {@link #IDLE_CYCLES_PER_SECOND_MAX}. */
    private static void assertFewDutyCyclesInAnIdleSecond(final List<String> names,
        final List<RaftKeyValueStore> members) throws InterruptedException {
        final long[] cyclesBefore = new long[members.size()];
        for (int i = 0; i < members.size(); i++) {
            cyclesBefore[i] = members.get(i).raftLoopDutyCycles();
        }
        final long started = System.nanoTime();
        Thread.sleep(1_000);
        final double seconds = (System.nanoTime() - started) / 1e9;
        for (int i = 0; i < members.size(); i++) {
            final long cycles = members.get(i).raftLoopDutyCycles() - cyclesBefore[i];
            System.out.printf("%s: %d duty cycles in %.2f s idle%n", names.get(i), cycles, seconds);
            assertTrue(cycles < IDLE_CYCLES_PER_SECOND_MAX * seconds, names.get(i) + " ran " + cycles
                + " duty cycles in " + seconds + " s with nothing to do");
        }
    }

    /** Waits for a leader, a put applied everywhere, and {@link #QUIET_MILLIS} of quiet; returns the leader. */
    private static RaftKeyValueStore quietAfterAPut(final InJvmCluster cluster) throws Exception {
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
        return leader;
    }

    private static void put(final RaftKeyValueStore member, final String key) throws Exception {
        member.put(new TxnOp.Put(key.getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8), 0,
            false, false, false)).get(20, TimeUnit.SECONDS);
    }
}
