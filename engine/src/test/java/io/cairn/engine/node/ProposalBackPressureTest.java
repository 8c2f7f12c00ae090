package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.mvcc.OpResult;
import io.cairn.engine.mvcc.TxnOp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every accepted write is answered, with a result or one of etcd's errors, within its deadline:
 * while writers flood the member faster than it can apply, while the apply thread itself proposes
 * (as a lock or election call does when it finishes), and while the member closes under them.
 * Nothing may wait for a queue that the member stopped draining.
 */
class ProposalBackPressureTest {
    private static final long MEMBER_ID = 0x4242L;
    private static final int FLOODERS = 6;
    private static final long FLOOD_MILLIS = 1_500;
    /** Far beyond any answer's normal latency; only a stuck or forgotten call takes this long. */
    private static final long ANSWER_WITHIN_SECONDS = 30;
    private static final Set<EtcdError> ACCEPTABLE_REFUSALS =
        Set.of(EtcdError.TOO_MANY_REQUESTS, EtcdError.STOPPED, EtcdError.TIMEOUT);

    @TempDir
    Path dir;

    @Test
    void callbacksOnTheApplyThreadProposingIntoAFloodDoNotDeadlock() throws Exception {
        final RaftKeyValueStore store = open();
        try {
            final ConcurrentLinkedQueue<CompletableFuture<?>> answers = new ConcurrentLinkedQueue<>();
            flood(store, answers, true, FLOOD_MILLIS);
            awaitAll(answers, "flood with proposing callbacks");
        } finally {
            closeWithin(store);
        }
    }

    @Test
    void closingUnderAFloodAnswersEveryCallAndBlocksNoCaller() throws Exception {
        for (int trial = 0; trial < 5; trial++) {
            final RaftKeyValueStore store = open();
            final ConcurrentLinkedQueue<CompletableFuture<?>> answers = new ConcurrentLinkedQueue<>();
            final AtomicBoolean stop = new AtomicBoolean();
            final CountDownLatch flooding = new CountDownLatch(FLOODERS);
            final List<Thread> flooders = startFlooders(store, answers, false, stop, flooding);
            flooding.await();
            TimeUnit.MILLISECONDS.sleep(200 + 100L * trial);
            closeWithin(store);
            stop.set(true);
            for (final Thread flooder : flooders) {
                flooder.join(TimeUnit.SECONDS.toMillis(ANSWER_WITHIN_SECONDS));
                if (flooder.isAlive()) {
                    fail("trial " + trial + ": a writer is still blocked in put() " + ANSWER_WITHIN_SECONDS
                        + " s after close: " + stackOf(flooder));
                }
            }
            awaitAll(answers, "trial " + trial + ", close under a flood");
        }
    }

    private void flood(final RaftKeyValueStore store, final ConcurrentLinkedQueue<CompletableFuture<?>> answers,
        final boolean proposeFromCallbacks, final long millis) throws Exception {
        final AtomicBoolean stop = new AtomicBoolean();
        final CountDownLatch flooding = new CountDownLatch(FLOODERS);
        final List<Thread> flooders = startFlooders(store, answers, proposeFromCallbacks, stop, flooding);
        flooding.await();
        TimeUnit.MILLISECONDS.sleep(millis);
        stop.set(true);
        for (final Thread flooder : flooders) {
            flooder.join(TimeUnit.SECONDS.toMillis(ANSWER_WITHIN_SECONDS));
            if (flooder.isAlive()) {
                fail("a writer is still blocked in put() " + ANSWER_WITHIN_SECONDS + " s after the flood: "
                    + stackOf(flooder) + "\napply thread: " + stackOfThreadNamed("cairn-apply")
                    + "\nRaft loop: " + stackOfThreadNamed("cairn-raft"));
            }
        }
    }

    private static List<Thread> startFlooders(final RaftKeyValueStore store,
        final ConcurrentLinkedQueue<CompletableFuture<?>> answers, final boolean proposeFromCallbacks,
        final AtomicBoolean stop, final CountDownLatch started) {
        final List<Thread> flooders = new ArrayList<>();
        for (int t = 0; t < FLOODERS; t++) {
            final int thread = t;
            flooders.add(Thread.ofPlatform().name("flooder-" + t).daemon().start(() -> {
                started.countDown();
                for (int i = 0; !stop.get(); i++) {
                    final CompletableFuture<OpResult.Put> answer = store.put(put("k" + thread + "/" + (i % 1000)));
                    answers.add(answer);
                    if (proposeFromCallbacks) {
                        // Runs on the thread that answers: usually the apply thread.
                        final int n = i;
                        answer.whenComplete((result, failure) ->
                            answers.add(store.put(put("callback" + thread + "/" + (n % 1000)))));
                    }
                }
            }));
        }
        return flooders;
    }

    private static void awaitAll(final ConcurrentLinkedQueue<CompletableFuture<?>> answers, final String what) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ANSWER_WITHIN_SECONDS);
        final Map<String, Integer> outcomes = new TreeMap<>();
        int seen = 0;
        for (CompletableFuture<?> answer = answers.poll(); answer != null; answer = answers.poll()) {
            seen++;
            try {
                // Waits without get(): a refused write's get() would build an ExecutionException with
                // a stack trace, and a flood leaves a million of them (most of this test's time).
                answer.handle((result, failure) -> Boolean.TRUE)
                    .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (final java.util.concurrent.TimeoutException e) {
                fail(what + ": a write was not answered within " + ANSWER_WITHIN_SECONDS + " s (" + seen
                    + " looked at, outcomes so far " + outcomes + ")\napply thread: " + stackOfThreadNamed("cairn-apply")
                    + "\nRaft loop: " + stackOfThreadNamed("cairn-raft"));
            } catch (final java.util.concurrent.ExecutionException e) {
                throw new AssertionError(what + ": cannot happen, handle() completes normally", e);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            if (answer.state() == java.util.concurrent.Future.State.SUCCESS) {
                outcomes.merge("ok", 1, Integer::sum);
                continue;
            }
            final Throwable cause = answer.exceptionNow(); // a CompletionException's cause
            if (!(cause instanceof EtcdException etcd) || !ACCEPTABLE_REFUSALS.contains(etcd.error())) {
                throw new AssertionError(what + ": unexpected failure", cause);
            }
            outcomes.merge(etcd.error().name(), 1, Integer::sum);
        }
        assertTrue(seen > 0, what + ": no writes were made");
        System.out.println(what + ": " + seen + " writes answered: " + outcomes);
    }

    private static void closeWithin(final RaftKeyValueStore store) throws Exception {
        final Thread closer = Thread.ofPlatform().daemon().start(() -> {
            try {
                store.close();
            } catch (final Exception e) {
                throw new AssertionError(e);
            }
        });
        closer.join(TimeUnit.SECONDS.toMillis(ANSWER_WITHIN_SECONDS));
        assertEquals(false, closer.isAlive(), "close() did not return: " + stackOf(closer)
            + "\napply thread: " + stackOfThreadNamed("cairn-apply") + "\nRaft loop: " + stackOfThreadNamed("cairn-raft"));
    }

    private static String stackOf(final Thread thread) {
        final StringBuilder text = new StringBuilder(thread.getName());
        for (final StackTraceElement frame : thread.getStackTrace()) {
            text.append("\n    at ").append(frame);
        }
        return text.toString();
    }

    private static String stackOfThreadNamed(final String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
            .map(ProposalBackPressureTest::stackOf).orElse("(none)");
    }

    private RaftKeyValueStore open() throws Exception {
        final Path data = dir.resolve("data" + System.nanoTime());
        return RaftKeyValueStore.open(data, data.resolve("wal"), MemberOptions.defaults(MEMBER_ID));
    }

    private static TxnOp.Put put(final String key) {
        return new TxnOp.Put(key.getBytes(StandardCharsets.UTF_8), new byte[64], 0, false, false, false);
    }
}
