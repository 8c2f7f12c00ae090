package io.cairn.chaos.linearizability;

import static io.cairn.chaos.linearizability.Input.cas;
import static io.cairn.chaos.linearizability.Input.delete;
import static io.cairn.chaos.linearizability.Input.get;
import static io.cairn.chaos.linearizability.Input.put;
import static io.cairn.chaos.linearizability.Output.read;
import static io.cairn.chaos.linearizability.Output.written;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cairn.chaos.linearizability.LinearizabilityChecker.Verdict;
import io.cairn.chaos.linearizability.UnknownOutcomes.KeyValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Writes of unknown outcome settled from the applied changes: sharper, and fast on long histories. */
class UnknownOutcomesTest {
    private final List<Operation> history = new ArrayList<>();
    private final Map<KeyValue, Long> applied = new HashMap<>();

    private void ok(final long callNanos, final long returnNanos, final Input input, final Output output) {
        history.add(Operation.ok(history.size(), 0, callNanos, returnNanos, input, output));
    }

    private void unknown(final long callNanos, final Input input) {
        history.add(Operation.unknown(history.size(), 1, callNanos, input));
    }

    private Verdict settledVerdict() {
        final UnknownOutcomes.Settled settled = UnknownOutcomes.settle(history, applied);
        final LinearizabilityChecker.Result result = LinearizabilityChecker.check(settled.operations(),
            Duration.ofSeconds(30));
        System.out.println(settled + "\n" + result.explanation());
        return result.verdict();
    }

    @Test
    void anAppliedWriteReturnedWhenTheFirstWriteAtALaterRevisionReturned() {
        unknown(0, put("x", "a"));
        applied.put(new KeyValue("x", "a"), 5L);
        ok(2, 8, put("y", "z"), written(6));
        ok(10, 20, put("x", "b"), written(7));
        applied.put(new KeyValue("x", "b"), 7L);
        ok(30, 40, get("x"), read("a"));
        // Left unknown, "a" could be placed after "b" and the read would pass. Revision 5 was
        // applied before the put at 6 (another key) answered, before "b" was even called, so the
        // read saw an overwritten value.
        assertEquals(Verdict.LINEARIZABLE, LinearizabilityChecker.check(history).verdict());
        assertEquals(Verdict.NOT_LINEARIZABLE, settledVerdict());

        final Operation settled = UnknownOutcomes.settle(history, applied).operations().getFirst();
        assertEquals(8, settled.returnNanos());
        assertEquals(written(5), settled.output());
    }

    @Test
    void aReadOfAWriteTheChangesNeverShowIsReported() {
        unknown(0, put("x", "a"));
        ok(10, 20, get("x"), read("a"));
        assertEquals(Verdict.LINEARIZABLE, LinearizabilityChecker.check(history).verdict());
        assertEquals(Verdict.NOT_LINEARIZABLE, settledVerdict(), "a watch that skipped the event, or a phantom read");
    }

    @Test
    void aCompareAndSwapNeverAppliedIsLeftOutAndAnAppliedOneSucceeded() {
        ok(0, 10, put("x", "a"), written(2));
        applied.put(new KeyValue("x", "a"), 2L);
        unknown(20, cas("x", "a", "b"));
        unknown(20, cas("x", "a", "c"));
        applied.put(new KeyValue("x", "c"), 3L);
        ok(40, 50, put("y", "d"), written(4));
        ok(60, 70, get("x"), read("c"));
        final UnknownOutcomes.Settled settled = UnknownOutcomes.settle(history, applied);
        assertEquals(1, settled.applied());
        assertEquals(1, settled.neverApplied());
        assertEquals(4, settled.operations().size());
        assertEquals(Output.swapped(true), settled.operations().get(1).output());
        assertEquals(50, settled.operations().get(1).returnNanos());
        assertEquals(Verdict.LINEARIZABLE, settledVerdict());
    }

    @Test
    void deletesStayUnknown() {
        ok(0, 10, put("x", "a"), written(2));
        unknown(20, delete("x"));
        ok(30, 40, get("x"), Output.absent());
        final UnknownOutcomes.Settled settled = UnknownOutcomes.settle(history, applied);
        assertEquals(1, settled.stillUnknown());
        assertEquals(Verdict.LINEARIZABLE, settledVerdict());
    }

    @Test
    void aLongHistoryWithHundredsOfUnknownWritesIsDecided() {
        long nanos = 0;
        long revision = 1;
        String value = null;
        for (int i = 0; i < 3000; i++) {
            if (i % 5 == 0) {
                unknown(nanos, put("x", "lost-" + i));
            } else if (i % 5 == 1) {
                unknown(nanos, put("x", "kept-" + i));
                value = "kept-" + i;
                applied.put(new KeyValue("x", value), ++revision);
            } else if (i % 5 == 2) {
                ok(nanos, nanos + 5, put("y", "y-" + i), written(++revision));
            } else {
                ok(nanos, nanos + 5, get("x"), read(value));
            }
            nanos += 10;
        }
        assertEquals(Verdict.LINEARIZABLE, settledVerdict());
    }
}
