package io.cairn.chaos.linearizability;

import static io.cairn.chaos.linearizability.Input.cas;
import static io.cairn.chaos.linearizability.Input.get;
import static io.cairn.chaos.linearizability.Input.put;
import static io.cairn.chaos.linearizability.Output.read;
import static io.cairn.chaos.linearizability.Output.swapped;
import static io.cairn.chaos.linearizability.Output.written;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A long failing history shrinks to the few operations that show the violation. */
class ShrinkTest {
    private final List<Operation> history = new ArrayList<>();

    private void ok(final long callNanos, final long returnNanos, final Input input, final Output output) {
        history.add(Operation.ok(history.size(), history.size() % 3, callNanos, returnNanos, input, output));
    }

    @Test
    void aStaleReadAmongManyOperationsShrinksToTwoWritesAndTheRead() {
        long nanos = 0;
        for (int i = 0; i < 40; i++) {
            ok(nanos, nanos + 5, put("x", "v" + i), written(i + 2));
            ok(nanos + 10, nanos + 15, get("x"), read("v" + i));
            nanos += 20;
        }
        ok(nanos, nanos + 5, get("x"), read("v17")); // stale: v39 was written and read before
        for (int i = 40; i < 60; i++) {
            nanos += 20;
            ok(nanos, nanos + 5, put("x", "v" + i), written(i + 2));
        }
        assertEquals(LinearizabilityChecker.Verdict.NOT_LINEARIZABLE, LinearizabilityChecker.check(history).verdict());

        final List<Operation> smallest = Shrink.smallest(history, System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
        System.out.println(HistoryFormat.format(smallest, 0, "  "));
        assertEquals(3, smallest.size(), smallest::toString);
        assertEquals(put("x", "v17"), smallest.get(0).input());
        assertEquals(read("v17"), smallest.get(2).output());
        assertEquals(LinearizabilityChecker.Verdict.NOT_LINEARIZABLE, LinearizabilityChecker.check(smallest).verdict());
    }

    @Test
    void aValueShownByAKeptOperationIsNeverLeftOut() {
        ok(0, 5, put("x", "a"), written(2));
        ok(10, 15, cas("x", "a", "b"), swapped(true));
        ok(20, 25, get("x"), read("b"));
        assertTrue(Shrink.everyShownValueWritten(history));
        assertFalse(Shrink.everyShownValueWritten(history.subList(1, 3)), "the CAS expected a, which nothing wrote");
        assertFalse(Shrink.everyShownValueWritten(List.of(history.get(0), history.get(2))), "b is read, not written");
    }
}
