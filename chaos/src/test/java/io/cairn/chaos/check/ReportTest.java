package io.cairn.chaos.check;

import static io.cairn.chaos.check.Facts.finalState;
import static io.cairn.chaos.check.Facts.put;
import static io.cairn.chaos.check.Facts.serializable;
import static io.cairn.chaos.check.Facts.stored;
import static io.cairn.chaos.check.Facts.watch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {
    private static RunHistory.Builder history() {
        return RunHistory.builder()
            .write(put("n1", "k", "1", 2, 1_000_000, 2_000_000))
            .write(put("n2", "k", "2", 3, 3_000_000, 4_000_000))
            .read(serializable("n3", "k", "2", 3, 3, 5_000_000, 6_000_000));
    }

    @Test
    void aCleanRunSaysPassedWithWhatEachCheckLookedAt() {
        final Report report = Checks.all(history()
            .watch(watch("n1", KeyRange.key("k"), 1, WatchEvent.put("k", "1", 2), WatchEvent.put("k", "2", 3)))
            .finalState(finalState("n1", 3, Map.of("k", stored("2", 3))))
            .build());
        System.out.println(report);
        assertTrue(report.passed(), report::toString);
        assertTrue(report.toString().startsWith("PASSED: 4 checks"), report::toString);
        assertTrue(report.toString().contains("watch: checked 2 events in 1 watches"), report::toString);
    }

    @Test
    void aFailedRunCountsItsViolationsAndPrintsEachSliceWithTimesFromTheFirstCall() {
        final Report report = Checks.all(history()
            .watch(watch("n1", KeyRange.key("k"), 1, WatchEvent.put("k", "2", 3)))
            .finalState(finalState("n1", 3, Map.of("k", stored("1", 2))))
            .build());
        System.out.println(report);
        assertFalse(report.passed());
        assertEquals(2, report.violationCount(), report::toString);
        final String text = report.toString();
        assertTrue(text.startsWith("FAILED: 2 violations in 2 of 4 checks"), text);
        assertTrue(text.contains("skipped the change of k at 2"), text);
        // The skipped write, 1 ms to 2 ms after the origin (the first invocation, at 1 ms).
        assertTrue(text.contains("put k=1, acknowledged @2 [0.000, 1.000]ms"), text);
    }

    @Test
    void aLongListOfViolationsIsCutInThePrintout() {
        // A watch that delivered only the last of 15 puts to its key skipped the 14 before it.
        final int puts = Report.VIOLATIONS_SHOWN_MAX + 5;
        final RunHistory.Builder history = RunHistory.builder();
        for (int revision = 2; revision < 2 + puts; revision++) {
            history.write(put("n1", "k", "v" + revision, revision, revision, revision + 1));
        }
        final long last = 1 + puts;
        history.watch(watch("n1", KeyRange.key("k"), 2, WatchEvent.put("k", "v" + last, last)));
        final Report report = new Report(List.of(WatchChecker.check(history.build())));
        assertEquals(puts - 1, report.violationCount(), report::toString);
        assertTrue(report.toString().contains("... " + (puts - 1 - Report.VIOLATIONS_SHOWN_MAX) + " more"),
            report::toString);
    }
}
