package io.cairn.engine.node;

import static io.cairn.engine.node.ClusterClients.dump;
import static io.cairn.engine.node.ClusterClients.error;
import static io.cairn.engine.node.ClusterClients.put;
import static io.cairn.engine.node.ClusterClients.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.testing.Await;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader is cut off from both followers (the transport's fault decorator drops every frame
 * between them, both ways) while clients write on every member: the majority elects a new leader
 * and goes on; the isolated member acknowledges nothing and serves no linearizable read; once
 * healed it steps down, catches up, and every member holds the same data with every acknowledged
 * write in it.
 */
class PartitionTest {
    private static final long REQUEST_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(1_500);
    /** A client's pause after a failed write before it tries the next, as etcd's clients back off. */
    private static final long RETRY_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** What a write or read sent to a member cut off from the quorum may end with. */
    private static final Set<EtcdError> UNAVAILABLE = EnumSet.of(EtcdError.TIMEOUT, EtcdError.NO_LEADER,
        EtcdError.LEADER_CHANGED, EtcdError.TIMEOUT_DUE_TO_LEADER_FAIL, EtcdError.TIMEOUT_DUE_TO_CONNECTION_LOST);

    @TempDir
    Path dir;

    /** One write as its client saw it; {@code error} null when acknowledged. */
    private record Write(int member, String key, String value, long invokedNanos, long returnedNanos,
                         EtcdError error) {
        boolean acknowledged() {
            return error == null;
        }
    }

    private final Queue<Write> writes = new ConcurrentLinkedQueue<>();
    private volatile boolean stopWriting;

    @Test
    void anIsolatedLeaderAcknowledgesNothingAndCatchesUpOnceHealed() throws Exception {
        final MemberOptions options = MemberOptions.defaults(1).withTicks(20, 10)
            .withRequestTimeoutNanos(REQUEST_TIMEOUT_NANOS);
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, options).startAll()) {
            Await.until(() -> cluster.leader() >= 0, 30, "a leader");
            final int old = cluster.leader();
            final List<Thread> writers = IntStream.range(0, 3)
                .mapToObj(m -> Thread.ofPlatform().name("writer-m" + (m + 1)).start(() -> write(cluster, m)))
                .toList();
            try {
                Await.until(() -> IntStream.range(0, 3).allMatch(m -> acknowledged(m, 0) >= 3), 30,
                    "writes acknowledged on every member");

                final long isolatedAt = System.nanoTime();
                cluster.isolate(old);
                // Still leader in its own eyes, it cannot confirm that with anyone: no read.
                assertReadRefused(cluster.member(old), "the leader just isolated");

                final int[] majority = IntStream.range(0, 3).filter(m -> m != old).toArray();
                Await.until(() -> newLeader(cluster, majority, old) >= 0, 30, "a new leader among the majority");
                final long electedAt = System.nanoTime();
                Await.until(() -> !cluster.member(old).status().isLeader(), 30, "the isolated leader steps down");
                Await.until(() -> acknowledged(majority[0], electedAt) >= 3 && acknowledged(majority[1], electedAt) >= 3,
                    30, "the majority acknowledges writes under its new leader");
                Await.until(() -> writes.stream().anyMatch(w -> w.member() == old && w.invokedNanos() > isolatedAt
                    && w.returnedNanos() > electedAt), 30, "the isolated member answers a write sent to it");

                // A write the majority acknowledged that the isolated member cannot have: its linearizable read
                // must not return without it.
                final Write newer = writes.stream().filter(w -> w.acknowledged() && w.invokedNanos() > electedAt)
                    .findFirst().orElseThrow();
                assertNull(value(cluster.member(old), newer.key()), "the isolated member has " + newer);
                assertReadRefused(cluster.member(old), "the isolated member, after the majority moved on");

                final long healedAt = System.nanoTime();
                cluster.heal();
                Await.until(() -> cluster.leader() >= 0 && cluster.leader() != old && sameTerm(cluster), 30,
                    "every member follows the new leader");
                Await.until(() -> acknowledged(old, healedAt) >= 3, 30, "the old leader acknowledges writes again");

                final List<Write> whileIsolated = writes.stream()
                    .filter(w -> w.member() == old && w.invokedNanos() > isolatedAt && w.invokedNanos() < healedAt)
                    .toList();
                for (final Write w : whileIsolated) {
                    assertTrue(!w.acknowledged(), "the isolated member acknowledged " + w);
                    assertTrue(UNAVAILABLE.contains(w.error()), "an isolated member's write ended with " + w.error());
                }
                System.out.println("writes sent to the isolated member: " + whileIsolated.size() + ", errors "
                    + whileIsolated.stream().map(Write::error).distinct().toList());
            } finally {
                stopWriting = true;
                for (final Thread writer : writers) {
                    writer.join();
                }
            }

            Await.until(() -> converged(cluster), 30, "every member applies the same entries");
            final List<String> data = dump(cluster.member(0));
            for (int m = 1; m < 3; m++) {
                assertEquals(data, dump(cluster.member(m)), "member " + m + "'s data differs from member 0's");
            }
            int acknowledged = 0;
            for (final Write w : writes) {
                if (w.acknowledged()) {
                    acknowledged++;
                    for (int m = 0; m < 3; m++) {
                        assertEquals(w.value(), value(cluster.member(m), w.key()), "member " + m + " lost " + w);
                    }
                }
            }
            System.out.println(writes.size() + " writes, " + acknowledged + " acknowledged, " + data.size() + " keys");
        }
    }

    /** A client on member {@code m}: unique keys, one write at a time, until told to stop. */
    private void write(final InJvmCluster cluster, final int m) {
        for (int seq = 0; !stopWriting; seq++) {
            final String key = "w/m" + (m + 1) + "/" + seq;
            final String value = "v" + seq;
            final long invoked = System.nanoTime();
            EtcdError error = null;
            try {
                cluster.member(m).put(put(key, value)).get(10, TimeUnit.SECONDS);
            } catch (final ExecutionException e) {
                error = error(e);
                if (error == null) {
                    throw new AssertionError("a write failed without an etcd error", e);
                }
            } catch (final InterruptedException | TimeoutException e) {
                throw new AssertionError("a write on member " + m + " was never answered", e);
            }
            writes.add(new Write(m, key, value, invoked, System.nanoTime(), error));
            if (error != null) {
                LockSupport.parkNanos(RETRY_BACKOFF_NANOS);
            }
        }
    }

    private long acknowledged(final int member, final long invokedAfter) {
        return writes.stream().filter(w -> w.member() == member && w.acknowledged() && w.invokedNanos() > invokedAfter)
            .count();
    }

    private static void assertReadRefused(final RaftKeyValueStore member, final String who) throws Exception {
        try {
            member.linearizableRead().get(10, TimeUnit.SECONDS);
            fail(who + " allowed a linearizable read");
        } catch (final ExecutionException e) {
            final EtcdError error = error(e);
            assertTrue(UNAVAILABLE.contains(error), who + ": the read failed with " + e.getCause());
            System.out.println(who + ": linearizable read refused with '" + error.message() + "'");
        }
    }

    /** The index of the leader every member in {@code among} follows, when it is not {@code not}; else -1. */
    private static int newLeader(final InJvmCluster cluster, final int[] among, final int not) {
        final long leaderId = cluster.member(among[0]).status().leaderId();
        if (leaderId == 0 || leaderId == cluster.id(not)) {
            return -1;
        }
        for (final int m : among) {
            if (cluster.member(m).status().leaderId() != leaderId) {
                return -1;
            }
        }
        return IntStream.range(0, cluster.size()).filter(m -> cluster.id(m) == leaderId).findFirst().orElse(-1);
    }

    private static boolean sameTerm(final InJvmCluster cluster) {
        final long term = cluster.member(0).status().raftTerm();
        return IntStream.range(1, cluster.size()).allMatch(m -> cluster.member(m).status().raftTerm() == term);
    }

    /** Every member has applied everything the leader committed, and their data agree. */
    private static boolean converged(final InJvmCluster cluster) {
        final List<MemberStatus> statuses = new ArrayList<>();
        for (int m = 0; m < cluster.size(); m++) {
            statuses.add(cluster.member(m).status());
        }
        final long commit = statuses.stream().mapToLong(MemberStatus::raftIndex).max().orElseThrow();
        if (!statuses.stream().allMatch(s -> s.appliedIndex() == commit)) {
            return false;
        }
        final List<String> data = dump(cluster.member(0));
        return IntStream.range(1, cluster.size()).allMatch(m -> dump(cluster.member(m)).equals(data));
    }
}
