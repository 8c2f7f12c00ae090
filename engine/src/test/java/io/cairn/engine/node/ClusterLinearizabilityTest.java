package io.cairn.engine.node;

import static io.cairn.engine.node.ClusterClients.bytes;
import static io.cairn.engine.node.ClusterClients.error;
import static io.cairn.engine.node.ClusterClients.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.api.EtcdError;
import io.cairn.chaos.linearizability.History;
import io.cairn.chaos.linearizability.Input;
import io.cairn.chaos.linearizability.LinearizabilityChecker;
import io.cairn.chaos.linearizability.LinearizabilityChecker.Result;
import io.cairn.chaos.linearizability.LinearizabilityChecker.Verdict;
import io.cairn.chaos.linearizability.Output;
import io.cairn.engine.mvcc.Compare;
import io.cairn.engine.mvcc.KeyRange;
import io.cairn.engine.mvcc.OpResult;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.engine.testing.Await;
import io.cairn.chaos.Seeds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients on all three members (two each) put unique values, read linearizably and compare-and-swap
 * over a few keys while the leader is stopped and started again, twice; every call goes into a
 * {@link History}, which the {@link LinearizabilityChecker} must find linearizable. The second test
 * runs the same workload with a planted bug (followers read their own tree without ReadIndex) and
 * requires the checker to catch it.
 *
 * <p>Seeded through {@link Seeds}: {@code -Dcairn.clusterLinz.seed=<seed>} replays a run's choices
 * (the threads' interleaving is the machine's).
 */
class ClusterLinearizabilityTest {
    private static final int MEMBERS = 3;
    private static final int CLIENTS_PER_MEMBER = 2;
    private static final List<String> KEYS = List.of("k0", "k1", "k2", "k3");
    private static final long REQUEST_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** A client's pause after a failed call, or while its member is down, as etcd's clients back off. */
    private static final long RETRY_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** Successful operations between two steps of the fault schedule. */
    private static final int OPS_PER_PHASE = 300;
    /**
     * With the planted bug, every frame a member receives arrives this late, so followers lag the
     * leader a little more than over loopback and stale reads are likelier still (the workload
     * catches the bug without it too, but the test must not depend on the machine's timing).
     */
    private static final long PLANTED_NETWORK_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(3);

    @TempDir
    Path dir;

    @Test
    void aConcurrentHistoryAcrossLeaderRestartsIsLinearizable() throws Exception {
        Seeds.run("cairn.clusterLinz.seed", 1, seed -> {
            final Run run = new Run(Files.createDirectories(dir.resolve("seed-" + seed)), seed, false);
            final Result result = run.execute();
            if (result.verdict() != Verdict.LINEARIZABLE) {
                System.out.println(run.history);
            }
            assertEquals(Verdict.LINEARIZABLE, result.verdict(), result.explanation());
        });
    }

    @Test
    void theCheckerCatchesFollowersThatReadWithoutReadIndex() throws Exception {
        Seeds.run("cairn.clusterLinz.seed", 1, seed -> {
            final Run run = new Run(Files.createDirectories(dir.resolve("seed-" + seed)), seed, true);
            final Result result = run.execute();
            System.out.println(result.explanation());
            assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict(), "the planted stale reads went unnoticed: "
                + result.explanation());
        });
    }

    /** One workload on a fresh cluster. */
    private static final class Run {
        private final Path dir;
        private final long seed;
        private final boolean plantBug;
        private final History history = new History();
        private final ReentrantReadWriteLock[] gates = new ReentrantReadWriteLock[MEMBERS];
        private final AtomicLong succeeded = new AtomicLong();
        private final AtomicLong unknown = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private final Queue<Throwable> clientErrors = new ConcurrentLinkedQueue<>();
        private volatile boolean stopClients;
        private InJvmCluster cluster;

        Run(final Path dir, final long seed, final boolean plantBug) {
            this.dir = dir;
            this.seed = seed;
            this.plantBug = plantBug;
            for (int m = 0; m < MEMBERS; m++) {
                gates[m] = new ReentrantReadWriteLock();
            }
        }

        Result execute() throws Exception {
            final MemberOptions options = MemberOptions.defaults(1).withTicks(20, 10)
                .withRequestTimeoutNanos(REQUEST_TIMEOUT_NANOS);
            final long started = System.nanoTime();
            try (InJvmCluster c = new InJvmCluster(dir, MEMBERS, options)) {
                cluster = c;
                if (plantBug) {
                    cluster.plantFollowerReadsWithoutReadIndex();
                    for (int m = 0; m < MEMBERS; m++) {
                        cluster.faults(m).delay(PLANTED_NETWORK_DELAY_NANOS);
                    }
                }
                cluster.startAll();
                Await.until(() -> cluster.leader() >= 0, 30, "a leader");
                final SplittableRandom seeds = new SplittableRandom(seed);
                final List<Thread> clients = new ArrayList<>();
                for (int client = 0; client < MEMBERS * CLIENTS_PER_MEMBER; client++) {
                    final int id = client;
                    final SplittableRandom random = seeds.split();
                    clients.add(Thread.ofPlatform().name("client-" + id).start(() -> {
                        try {
                            client(id, id % MEMBERS, random);
                        } catch (final Throwable e) {
                            clientErrors.add(e);
                        }
                    }));
                }
                try {
                    schedule();
                } finally {
                    stopClients = true;
                    for (final Thread client : clients) {
                        client.join();
                    }
                }
            }
            assertTrue(clientErrors.isEmpty(), "clients failed: " + clientErrors);
            final long checking = System.nanoTime();
            final Result result = LinearizabilityChecker.check(history, Duration.ofSeconds(15));
            System.out.println((plantBug ? "with the planted bug: " : "") + succeeded + " operations succeeded, "
                + unknown + " unknown, " + failed + " failed in "
                + TimeUnit.NANOSECONDS.toMillis(checking - started) + " ms; checked in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - checking) + " ms: "
                + result.explanation().lines().findFirst().orElse(""));
            return result;
        }

        /** Work, stop the leader, work, start it again, work; twice. */
        private void schedule() throws Exception {
            awaitProgress("the clients' first operations");
            for (int round = 0; round < 2; round++) {
                final int leader = cluster.leader();
                assertTrue(leader >= 0, "a leader before stopping it");
                gated(leader, () -> cluster.stop(leader));
                Await.until(() -> cluster.leader() >= 0, 30, "a new leader without member " + leader);
                awaitProgress("operations under the new leader");
                gated(leader, () -> cluster.start(leader));
                Await.until(() -> cluster.leader() >= 0, 30, "every member follows one leader");
                awaitProgress("operations with member " + leader + " back");
            }
        }

        private void awaitProgress(final String what) throws InterruptedException {
            final long target = succeeded.get() + OPS_PER_PHASE;
            Await.until(() -> succeeded.get() >= target || !clientErrors.isEmpty(), 30, what);
            assertTrue(clientErrors.isEmpty(), "clients failed: " + clientErrors);
        }

        @FunctionalInterface
        private interface MemberAction {
            void run() throws Exception;
        }

        /** Stops or starts member {@code m} while no client is inside one of its calls. */
        private void gated(final int m, final MemberAction action) throws Exception {
            gates[m].writeLock().lock();
            try {
                action.run();
            } finally {
                gates[m].writeLock().unlock();
            }
        }

        /**
         * Runs {@code call} on member {@code m} unless it is down (then null). Calls are made under the
         * member's gate, so none runs into a closing member's storage; waiting for an answer is not.
         */
        private <T> T onMember(final int m, final Function<RaftKeyValueStore, T> call) {
            gates[m].readLock().lock();
            try {
                final RaftKeyValueStore member = cluster.member(m);
                return member == null ? null : call.apply(member);
            } finally {
                gates[m].readLock().unlock();
            }
        }

        /** One client: random puts, linearizable gets and compare-and-swaps on member {@code m}. */
        private void client(final int client, final int m, final SplittableRandom random) throws Exception {
            final Map<String, String> lastSeen = new HashMap<>();
            for (int n = 0; !stopClients; n++) {
                final String key = KEYS.get(random.nextInt(KEYS.size()));
                final int kind = random.nextInt(10);
                final boolean done;
                if (kind < 4) {
                    done = put(client, m, key, "c" + client + "-" + n, lastSeen);
                } else if (kind < 7) {
                    done = get(client, m, key, lastSeen);
                } else {
                    done = cas(client, m, key, lastSeen.get(key), "c" + client + "-" + n, lastSeen);
                }
                if (!done) {
                    LockSupport.parkNanos(RETRY_BACKOFF_NANOS);
                }
            }
        }

        private boolean put(final int client, final int m, final String key, final String value,
            final Map<String, String> lastSeen) throws Exception {
            final long op = history.invoke(client, Input.put(key, value));
            final CompletableFuture<OpResult.Put> answer = onMember(m, member -> member.put(ClusterClients.put(key, value)));
            if (answer == null) {
                history.fail(op); // the member was down: nothing was sent
                return false;
            }
            final OpResult.Put result = await(answer, op, true);
            if (result == null) {
                return false;
            }
            history.ok(op, Output.written(result.revision()));
            succeeded.incrementAndGet();
            lastSeen.put(key, value);
            return true;
        }

        private boolean cas(final int client, final int m, final String key, final String expected,
            final String value, final Map<String, String> lastSeen) throws Exception {
            final Compare compare = expected == null
                ? new Compare(KeyRange.of(bytes(key), new byte[0]), Compare.Target.CREATE, Compare.Result.EQUAL, 0,
                    new byte[0])
                : new Compare(KeyRange.of(bytes(key), new byte[0]), Compare.Target.VALUE, Compare.Result.EQUAL, 0,
                    bytes(expected));
            final TxnOp.Txn txn = new TxnOp.Txn(List.of(compare), List.of(ClusterClients.put(key, value)), List.of());
            final long op = history.invoke(client, Input.cas(key, expected, value));
            final CompletableFuture<OpResult.Txn> answer = onMember(m, member -> member.txn(txn));
            if (answer == null) {
                history.fail(op);
                return false;
            }
            final OpResult.Txn result = await(answer, op, true);
            if (result == null) {
                return false;
            }
            history.ok(op, Output.swapped(result.succeeded()));
            succeeded.incrementAndGet();
            if (result.succeeded()) {
                lastSeen.put(key, value);
            } else {
                lastSeen.remove(key); // unknown now: the next swap compares with "absent", and learns
            }
            return true;
        }

        private boolean get(final int client, final int m, final String key, final Map<String, String> lastSeen)
            throws Exception {
            final long op = history.invoke(client, Input.get(key));
            final RaftKeyValueStore[] asked = new RaftKeyValueStore[1];
            final CompletableFuture<Void> readable = onMember(m, member -> {
                asked[0] = member;
                return member.linearizableRead();
            });
            if (readable == null) {
                history.fail(op);
                return false;
            }
            if (await(readable.thenApply(ok -> Boolean.TRUE), op, false) == null) {
                return false;
            }
            // The read was allowed on that member's tree; if it went down (or restarted) meanwhile, the read is lost.
            final Optional<String> value = onMember(m, member -> member == asked[0]
                ? Optional.ofNullable(value(member, key)) : null);
            if (value == null) {
                history.fail(op);
                return false;
            }
            history.ok(op, Output.read(value.orElse(null)));
            succeeded.incrementAndGet();
            if (value.isPresent()) {
                lastSeen.put(key, value.get());
            } else {
                lastSeen.remove(key);
            }
            return true;
        }

        /**
         * The call's answer, or null after recording its failure: a write that failed may still be applied
         * (unknown) unless it was refused before Raft took it ("no leader"); a failed read is dropped.
         */
        private <T> T await(final CompletableFuture<T> answer, final long op, final boolean write) throws Exception {
            try {
                return answer.get(REQUEST_TIMEOUT_NANOS + TimeUnit.SECONDS.toNanos(5), TimeUnit.NANOSECONDS);
            } catch (final ExecutionException e) {
                final EtcdError error = error(e);
                if (error == null) {
                    throw new AssertionError("operation " + op + " failed without an etcd error", e);
                }
                if (write && error != EtcdError.NO_LEADER) {
                    history.unknown(op);
                    unknown.incrementAndGet();
                } else {
                    history.fail(op);
                    failed.incrementAndGet();
                }
                return null;
            } catch (final TimeoutException e) {
                throw new AssertionError("operation " + op + " was never answered (past the request timeout)", e);
            }
        }
    }
}
