package io.cairn.chaos.linearizability;

import static io.cairn.chaos.linearizability.Input.cas;
import static io.cairn.chaos.linearizability.Input.delete;
import static io.cairn.chaos.linearizability.Input.get;
import static io.cairn.chaos.linearizability.Input.put;
import static io.cairn.chaos.linearizability.Output.absent;
import static io.cairn.chaos.linearizability.Output.deleted;
import static io.cairn.chaos.linearizability.Output.read;
import static io.cairn.chaos.linearizability.Output.swapped;
import static io.cairn.chaos.linearizability.Output.written;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.chaos.linearizability.LinearizabilityChecker.Result;
import io.cairn.chaos.linearizability.LinearizabilityChecker.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hand-made histories with a known answer, both ways: the failing ones show the checker can
 * fail. Times are small integers (nanoseconds) chosen to make the overlaps plain.
 */
class LinearizabilityCheckerTest {
    private final List<Operation> history = new ArrayList<>();

    private void ok(final int client, final long callNanos, final long returnNanos, final Input input,
        final Output output) {
        history.add(Operation.ok(history.size(), client, callNanos, returnNanos, input, output));
    }

    private void unknown(final int client, final long callNanos, final Input input) {
        history.add(Operation.unknown(history.size(), client, callNanos, input));
    }

    private Result linearizable() {
        final Result result = LinearizabilityChecker.check(history);
        assertEquals(Verdict.LINEARIZABLE, result.verdict(), result::explanation);
        return result;
    }

    private Result notLinearizable() {
        final Result result = LinearizabilityChecker.check(history);
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict(), result::explanation);
        System.out.println(result.explanation());
        return result;
    }

    @Test
    void emptyHistoryIsLinearizable() {
        linearizable();
    }

    @Test
    void sequentialOperationsAreLinearizable() {
        ok(0, 0, 10, get("x"), absent());
        ok(0, 20, 30, put("x", "a"), written(2));
        ok(1, 40, 50, get("x"), read("a"));
        ok(1, 60, 70, cas("x", "a", "b"), swapped(true));
        ok(0, 80, 90, cas("x", "a", "c"), swapped(false));
        ok(0, 100, 110, get("x"), read("b"));
        ok(1, 120, 130, delete("x"), deleted(1));
        ok(1, 140, 150, delete("x"), deleted(0));
        ok(0, 160, 170, get("x"), absent());
        linearizable();
    }

    @Test
    void aReadDuringOverlappingWritesMaySeeEither() {
        ok(0, 0, 100, put("x", "a"), written());
        ok(1, 10, 110, put("x", "b"), written());
        ok(2, 50, 60, get("x"), read("a"));
        ok(3, 50, 60, get("x"), read("b"));
        ok(4, 120, 130, get("x"), read("a"));
        linearizable();
    }

    @Test
    void aStaleReadAfterACompletedWriteIsNotLinearizable() {
        ok(0, 0, 10, put("x", "a"), written());
        ok(0, 20, 30, put("x", "b"), written());
        ok(1, 40, 50, get("x"), read("a"));
        final Result result = notLinearizable();
        assertEquals(List.of("x"), result.failedKeys());
        assertTrue(result.explanation().contains("get(x) -> \"a\"   does not fit \"b\""), result::explanation);
    }

    @Test
    void aReadOfAValueBeforeItsWriteWasCalledIsNotLinearizable() {
        ok(1, 0, 5, get("x"), read("a"));
        ok(0, 10, 20, put("x", "a"), written());
        notLinearizable();
    }

    @Test
    void aReadOfAValueNeverWrittenIsNotLinearizable() {
        ok(0, 0, 10, put("x", "a"), written());
        ok(1, 5, 15, get("x"), read("z"));
        notLinearizable();
    }

    @Test
    void concurrentCasesOnTheSameValueSucceedOnceAndLaterReadsAgree() {
        ok(0, 0, 10, put("x", "a"), written());
        ok(1, 20, 40, cas("x", "a", "b"), swapped(false));
        ok(2, 20, 40, cas("x", "a", "c"), swapped(true));
        ok(3, 50, 60, get("x"), read("c"));
        linearizable();
    }

    @Test
    void aReadDisagreeingWithWhichCasSucceededIsNotLinearizable() {
        ok(0, 0, 10, put("x", "a"), written());
        ok(1, 20, 40, cas("x", "a", "b"), swapped(false));
        ok(2, 20, 40, cas("x", "a", "c"), swapped(true));
        ok(3, 50, 60, get("x"), read("b"));
        notLinearizable();
    }

    @Test
    void twoSequentialCasesFromTheSameValueCannotBothSucceed() {
        ok(0, 0, 10, put("x", "a"), written());
        ok(1, 20, 30, cas("x", "a", "b"), swapped(true));
        ok(2, 40, 50, cas("x", "a", "c"), swapped(true));
        notLinearizable();
    }

    @Test
    void aCasOnAnAbsentKeyFailsOnceItExists() {
        ok(0, 0, 10, cas("x", null, "a"), swapped(true));
        ok(1, 20, 30, cas("x", null, "b"), swapped(true));
        notLinearizable();
        history.set(1, Operation.ok(1, 1, 20, 30, cas("x", null, "b"), swapped(false)));
        linearizable();
    }

    @Test
    void anUnknownWriteSeenByALaterReadIsLinearizable() {
        ok(0, 0, 10, put("x", "a"), written());
        unknown(1, 20, put("x", "b"));
        ok(2, 1_000, 1_010, get("x"), read("b"));
        ok(2, 1_020, 1_030, get("x"), read("b"));
        linearizable();
    }

    @Test
    void anUnknownWriteNeverSeenIsLinearizable() {
        ok(0, 0, 10, put("x", "a"), written());
        unknown(1, 20, put("x", "b"));
        ok(2, 1_000, 1_010, get("x"), read("a"));
        ok(2, 1_020, 1_030, get("x"), read("a"));
        linearizable();
    }

    @Test
    void anUnknownWriteTakesEffectAtMostOnce() {
        ok(0, 0, 10, put("x", "a"), written());
        unknown(1, 20, put("x", "b"));
        ok(2, 30, 40, get("x"), read("b"));
        ok(0, 50, 60, put("x", "c"), written());
        ok(2, 70, 80, get("x"), read("b"));
        notLinearizable();
    }

    @Test
    void anUnknownWriteCannotBeSeenBeforeItWasCalled() {
        ok(2, 0, 10, get("x"), read("b"));
        unknown(1, 20, put("x", "b"));
        notLinearizable();
    }

    @Test
    void anUnknownCasMayOrMayNotHaveSwapped() {
        ok(0, 0, 10, put("x", "a"), written());
        unknown(1, 20, cas("x", "a", "b"));
        ok(2, 30, 40, get("x"), read("a"));
        ok(2, 50, 60, get("x"), read("b"));
        linearizable();
        ok(0, 70, 80, cas("x", "b", "c"), swapped(true));
        ok(2, 90, 100, get("x"), read("c"));
        linearizable();
    }

    @Test
    void anUnknownCasCannotSwapFromAValueTheKeyNeverHadWhileItRan() {
        ok(0, 0, 10, put("x", "a"), written());
        unknown(1, 20, cas("x", "z", "b"));
        ok(2, 30, 40, get("x"), read("b"));
        notLinearizable();
    }

    @Test
    void anUnknownReadIsIgnored() {
        ok(0, 0, 10, put("x", "a"), written());
        unknown(1, 20, get("x"));
        linearizable();
    }

    @Test
    void twoReadersSeeingTwoWritesInOppositeOrdersIsNotLinearizable() {
        ok(0, 0, 1_000, put("x", "1"), written());
        ok(1, 0, 1_000, put("x", "2"), written());
        ok(2, 100, 200, get("x"), read("1"));
        ok(2, 300, 400, get("x"), read("2"));
        ok(3, 100, 200, get("x"), read("2"));
        ok(3, 300, 400, get("x"), read("1"));
        notLinearizable();
    }

    @Test
    void keysAreCheckedSeparatelyAndOnlyTheBadOneIsNamed() {
        ok(0, 0, 10, put("x", "a"), written());
        ok(0, 0, 10, put("y", "a"), written());
        ok(0, 20, 30, put("y", "b"), written());
        ok(1, 40, 50, get("x"), read("a"));
        ok(1, 40, 50, get("y"), read("a"));
        final Result result = notLinearizable();
        assertEquals(List.of("y"), result.failedKeys());
    }

    @Test
    void theExplanationGivesTheKeyThePrefixAndTheStuckOperationsWithRelativeTimes() {
        ok(0, 1_000_000, 2_000_000, put("x", "a"), written(5));
        ok(0, 3_000_000, 4_000_000, put("x", "b"), written(6));
        ok(1, 5_000_000, 6_500_000, get("x"), read("a"));
        final String explanation = notLinearizable().explanation();
        assertTrue(explanation.contains("key x: not linearizable (3 operations"), explanation);
        assertTrue(explanation.contains("2 of 3 operations"), explanation);
        assertTrue(explanation.contains("#1 c0 [+2.000 .. +3.000 ms] put(x, \"b\") -> ok@6   => \"b\""), explanation);
        assertTrue(explanation.contains("#2 c1 [+4.000 .. +5.500 ms] get(x) -> \"a\"   does not fit \"b\""),
            explanation);
    }

    @Test
    void aSearchOutOfTimeIsUnknownNotAPass() {
        for (int i = 0; i < 20; i++) {
            ok(i, 0, 100, put("x", "v" + i), written());
        }
        ok(0, 200, 300, get("x"), read("nobody wrote this"));
        final Result result = LinearizabilityChecker.check(history, Duration.ZERO);
        assertEquals(Verdict.UNKNOWN, result.verdict(), result::explanation);
        assertEquals(List.of("x"), result.undecidedKeys());
    }

    @Test
    void manyConcurrentWritesStillDecideQuickly() {
        // 12 mutually concurrent writes: 12! (479 million) orders, but only about 12 * 2^12
        // (placed set, value) pairs, which is what memoisation buys.
        for (int i = 0; i < 12; i++) {
            ok(i, 0, 100, put("x", "v" + i), written());
        }
        ok(0, 200, 300, get("x"), read("v7"));
        linearizable();
        ok(0, 400, 500, get("x"), read("v8"));
        notLinearizable();
    }
}
