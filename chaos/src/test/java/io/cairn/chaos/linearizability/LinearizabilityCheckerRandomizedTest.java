package io.cairn.chaos.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.cairn.chaos.linearizability.LinearizabilityChecker.Result;
import io.cairn.chaos.linearizability.LinearizabilityChecker.Verdict;
import io.cairn.chaos.Seeds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Histories linearizable by construction: a random sequential execution on a few keys, run
 * through {@link KeyModel}, with operation {@code i} taking effect at {@code i * SPACING_NANOS}
 * and its call and return drawn at random around that point, so that neighbours overlap but the
 * points keep the sequential order. Some writes have unknown outcomes (applied or not). The
 * checker must pass each one, and must fail it once one read is made stale: it returns the value
 * a write replaced although that write returned before the read was called. Each seed is printed;
 * {@code -Dcairn.linz.seed=N} replays one.
 */
class LinearizabilityCheckerRandomizedTest {
    private static final int RUNS = 20;
    private static final int OPERATIONS = 300;
    private static final int KEYS = 3;
    private static final int CLIENTS = 8;
    private static final long SPACING_NANOS = 1_000;
    /** How far a call or return may lie from its point: three spacings, so about six neighbours overlap. */
    private static final long REACH_NANOS = 3 * SPACING_NANOS;
    private static final Duration BUDGET = Duration.ofSeconds(5);

    /** An operation of the generated execution, and what the model said around it. */
    private record Generated(Operation operation, KeyModel.State before, KeyModel.State after, boolean applied) {
    }

    @Test
    void linearizableByConstructionPassesAndOneStaleReadFails() throws Exception {
        Seeds.run("cairn.linz.seed", RUNS, LinearizabilityCheckerRandomizedTest::run);
    }

    private static void run(final long seed) {
        final SplittableRandom random = new SplittableRandom(seed);
        final List<Generated> execution = generate(random);
        final List<Operation> history = new ArrayList<>(execution.stream().map(Generated::operation).toList());

        final Result valid = LinearizabilityChecker.check(history, BUDGET);
        assertEquals(Verdict.LINEARIZABLE, valid.verdict(), () -> valid.explanation() + HistoryFormat.format(history));

        final int stale = makeOneReadStale(execution, history, random);
        final Result broken = LinearizabilityChecker.check(history, BUDGET);
        assertEquals(Verdict.NOT_LINEARIZABLE, broken.verdict(),
            () -> "after making " + history.get(stale) + " stale: " + broken.explanation());
        assertEquals(List.of(history.get(stale).key()), broken.failedKeys(), broken::explanation);
    }

    private static List<Generated> generate(final SplittableRandom random) {
        final Map<String, KeyModel.State> states = new HashMap<>();
        final List<Generated> execution = new ArrayList<>();
        int values = 0;
        for (int i = 0; i < OPERATIONS; i++) {
            final String key = "k" + random.nextInt(KEYS);
            final KeyModel.State before = states.getOrDefault(key, KeyModel.State.ABSENT);
            final int kind = random.nextInt(100);
            // Every write writes a value no other write writes, so a value once replaced never
            // comes back: that is what makes the stale read below certainly wrong.
            final String fresh = "v" + values++;
            final Input input = kind < 35 ? Input.put(key, fresh)
                : kind < 70 ? Input.get(key)
                : kind < 85 ? Input.cas(key, random.nextInt(3) > 0 ? before.value() : "v" + random.nextInt(values), fresh)
                : Input.delete(key);
            final long pointNanos = i * SPACING_NANOS;
            final long callNanos = pointNanos - 1 - random.nextLong(REACH_NANOS);
            final long returnNanos = pointNanos + 1 + random.nextLong(REACH_NANOS);
            final int client = random.nextInt(CLIENTS);
            final boolean writes = !input.readOnly();
            if (writes && random.nextInt(100) < 3) {
                // A write that timed out and was never applied: it is not part of the execution.
                execution.add(new Generated(Operation.unknown(i, client, callNanos, input), before, before, false));
                continue;
            }
            final KeyModel.Step step = KeyModel.step(before, input, null);
            states.put(key, step.next());
            final Operation operation = writes && random.nextInt(100) < 5
                ? Operation.unknown(i, client, callNanos, input)
                : Operation.ok(i, client, callNanos, returnNanos, input, outputOf(input, before));
            execution.add(new Generated(operation, before, step.next(), true));
        }
        return execution;
    }

    /** What the sequential store answers to {@code input} in {@code state}. */
    private static Output outputOf(final Input input, final KeyModel.State state) {
        return switch (input) {
            case Input.Put _ -> Output.written();
            case Input.Get _ -> Output.read(state.value());
            case Input.Cas cas -> Output.swapped(Objects.equals(state.value(), cas.expected()));
            case Input.Delete _ -> Output.deleted(state.value() != null ? 1 : 0);
        };
    }

    /**
     * Picks a read R and an earlier acknowledged write W on its key such that W returned before R
     * was called, and the write W0 of the value W replaced returned before W was called; then R
     * is made to return that value. Every linearization orders W0, W, R so, and nothing after W
     * writes W0's value again, so the result is certainly not linearizable. Returns R's index.
     */
    private static int makeOneReadStale(final List<Generated> execution, final List<Operation> history,
        final SplittableRandom random) {
        final Map<String, Operation> writerOf = new HashMap<>();
        final List<int[]> candidates = new ArrayList<>();
        for (int w = 0; w < execution.size(); w++) {
            final Generated write = execution.get(w);
            if (!write.applied() || write.operation().input().readOnly()) {
                continue;
            }
            final Operation replaced = write.before().value() == null ? null : writerOf.get(write.before().value());
            if (write.after().value() != null && !write.after().equals(write.before())) {
                writerOf.put(write.after().value(), write.operation());
            }
            if (replaced == null || write.after().equals(write.before()) || write.operation().outcomeUnknown()
                || replaced.outcomeUnknown() || replaced.returnNanos() >= write.operation().callNanos()) {
                continue;
            }
            for (int r = w + 1; r < execution.size(); r++) {
                final Operation read = execution.get(r).operation();
                if (read.input().readOnly() && read.key().equals(write.operation().key())
                    && write.operation().returnNanos() < read.callNanos()) {
                    candidates.add(new int[] {w, r});
                }
            }
        }
        assertFalse(candidates.isEmpty(), "no read to make stale");
        final int[] chosen = candidates.get(random.nextInt(candidates.size()));
        final Operation read = history.get(chosen[1]);
        history.set(chosen[1], Operation.ok(read.id(), read.client(), read.callNanos(), read.returnNanos(),
            read.input(), Output.read(execution.get(chosen[0]).before().value())));
        return chosen[1];
    }
}
