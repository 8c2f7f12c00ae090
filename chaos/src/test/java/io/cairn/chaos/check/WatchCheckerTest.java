package io.cairn.chaos.check;

import static io.cairn.chaos.check.Facts.delete;
import static io.cairn.chaos.check.Facts.fails;
import static io.cairn.chaos.check.Facts.failedPut;
import static io.cairn.chaos.check.Facts.indeterminatePut;
import static io.cairn.chaos.check.Facts.leasedPut;
import static io.cairn.chaos.check.Facts.passes;
import static io.cairn.chaos.check.Facts.put;
import static io.cairn.chaos.check.Facts.watch;
import static io.cairn.chaos.check.WatchEvent.put;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class WatchCheckerTest {
    private static final KeyRange ALL = KeyRange.prefix("k/");
    private static final long LEASE = 0x1aL;

    /**
     * Revisions 2..7: puts, a Txn of two keys at 4, an indeterminate put that committed at 5, a
     * leased put at 6 whose lease expired at 7, and a delete of an absent key (no revision).
     */
    private static RunHistory.Builder history() {
        return RunHistory.builder()
            .write(put("n1", "k/a", "a1", 2, 10, 20))
            .write(put("n2", "k/b", "b1", 3, 30, 40))
            .write(put("n3", "k/a", "a2", 4, 50, 60))
            .write(put("n3", "k/c", "c1", 4, 50, 60))
            .write(indeterminatePut("n1", "k/b", "b2", 70))
            .write(leasedPut("n2", "k/d", "d1", LEASE, 6, 80, 90))
            .write(delete("n2", "k/zz", 6, 0, 95, 99))
            .lease(new LeaseFacts(LEASE, List.of(new LeasedKey("k/d", "d1", 6)), LeaseEnd.expired(120)));
    }

    private static WatchEvent[] everything() {
        return new WatchEvent[] {
            put("k/a", "a1", 2), put("k/b", "b1", 3), put("k/a", "a2", 4), put("k/c", "c1", 4),
            put("k/b", "b2", 5), put("k/d", "d1", 6), WatchEvent.delete("k/d", 7)};
    }

    @Test
    void watchesOnEveryMemberThatReplayTheHistoryPass() {
        final RunHistory history = history()
            .watch(watch("n1", ALL, 1, everything()))
            .watch(watch("n2", ALL, 4, put("k/a", "a2", 4), put("k/c", "c1", 4), put("k/b", "b2", 5)))
            .watch(watch("n3", KeyRange.key("k/d"), 1, put("k/d", "d1", 6), WatchEvent.delete("k/d", 7)))
            .watch(new WatchLog(99, "n3", ALL, 3, List.of(put("k/b", "b1", 3)),
                new WatchEnd(WatchEnd.Reason.ERROR, 0, 45)))
            .build();
        final CheckResult result = passes(WatchChecker.check(history));
        assertTrue(result.checked().contains("13 events in 4 watches"), result.checked());
    }

    @Test
    void aSkippedAcknowledgedWriteIsReportedWithTheWriteAndTheEventsAroundTheHole() {
        final RunHistory history = history()
            .watch(watch("n1", ALL, 1, everything()))
            .watch(watch("n2", ALL, 1, put("k/a", "a1", 2), put("k/a", "a2", 4), put("k/c", "c1", 4)))
            .build();
        final CheckResult result = fails(WatchChecker.check(history), 1, "skipped the change of k/b at 3");
        final List<String> slice = result.violations().getFirst().slice();
        assertTrue(slice.get(0).contains("put k/b=b1, acknowledged @3"), slice.toString());
        assertTrue(slice.get(1).contains("@2 PUT k/a=a1") && slice.get(2).contains("@4 PUT k/a=a2"),
            slice.toString());
    }

    @Test
    void aSkippedIndeterminateWriteThatAnotherWatchSawIsReported() {
        final RunHistory history = history()
            .watch(watch("n1", ALL, 1, everything()))
            .watch(watch("n2", KeyRange.key("k/b"), 1, put("k/b", "b1", 3), put("k/b", "b9", 9)))
            .write(put("n2", "k/b", "b9", 9, 200, 210))
            .build();
        fails(WatchChecker.check(history), 1, "skipped the change of k/b at 5");
    }

    @Test
    void eventsOutOfOrderOrTwiceAreReported() {
        fails(WatchChecker.check(history()
            .watch(watch("n1", ALL, 2, put("k/a", "a1", 2), put("k/b", "b1", 3), put("k/a", "a1", 2)))
            .build()), 2, "out of order");
        fails(WatchChecker.check(history()
            .watch(watch("n1", ALL, 2, put("k/a", "a1", 2), put("k/a", "a1", 2)))
            .build()), 1, "twice");
    }

    @Test
    void anEventBeforeTheStartOrOutsideTheRangeIsReported() {
        fails(WatchChecker.check(history().watch(watch("n1", ALL, 3, put("k/a", "a1", 2))).build()), 1,
            "before its start revision");
        fails(WatchChecker.check(history().watch(watch("n1", KeyRange.key("k/a"), 3, put("k/b", "b1", 3)))
            .build()), 1, "outside its range");
    }

    @Test
    void anEventThatDiffersFromTheWriteAtItsRevisionIsReported() {
        fails(WatchChecker.check(history().watch(watch("n1", ALL, 3, put("k/b", "WRONG", 3))).build()), 1,
            "wrote something else");
        // k/x in place of k/b: the change at 3 is someone else's, and k/b's is skipped.
        final CheckResult result = fails(WatchChecker.check(
            history().watch(watch("n1", ALL, 3, put("k/x", "b1", 3))).build()), 2,
            "belongs to an acknowledged write to other keys");
        assertTrue(result.violations().get(1).statement().contains("skipped the change of k/b at 3"));
    }

    @Test
    void aFailedWriteSeenCommittedIsReported() {
        final RunHistory history = history()
            .write(failedPut("n1", "k/e", "e1", 100, 101))
            .watch(watch("n1", ALL, 8, put("k/e", "e1", 8)))
            .build();
        final CheckResult result = fails(WatchChecker.check(history), 1, "only writes that failed for sure did");
        assertTrue(result.violations().getFirst().slice().get(1).contains("failed"));
    }

    @Test
    void oneIndeterminateWriteSeenAtTwoRevisionsIsReported() {
        fails(WatchChecker.check(history()
            .watch(watch("n1", KeyRange.key("k/b"), 5, put("k/b", "b2", 5), put("k/b", "b2", 8)))
            .build()), 1, "more revisions than there are writes");
    }

    @Test
    void watchesThatDisagreeOnARevisionAreReported() {
        final RunHistory history = history()
            .write(indeterminatePut("n1", "k/b", "b3", 71))
            .watch(watch("n1", KeyRange.key("k/b"), 5, put("k/b", "b2", 5)))
            .watch(watch("n2", KeyRange.key("k/b"), 5, put("k/b", "b3", 5)))
            .build();
        fails(WatchChecker.check(history), 1, "watches disagree on the change of k/b at 5");
    }

    @Test
    void aDeleteNoClientSentIsAllowedOnlyForAKeyWithALease() {
        final WatchLog sawExpiry = watch("n1", KeyRange.key("k/d"), 6, put("k/d", "d1", 6),
            WatchEvent.delete("k/d", 7));
        passes(WatchChecker.check(history().watch(sawExpiry).build()));
        // A lease whose client never saw it go (cut off, say) still ends: by its TTL at the latest.
        final RunHistory.Builder endNotSeen = RunHistory.builder();
        history().build().writes().forEach(endNotSeen::write);
        endNotSeen.lease(new LeaseFacts(LEASE, List.of(new LeasedKey("k/d", "d1", 6)), LeaseEnd.NONE));
        passes(WatchChecker.check(endNotSeen.watch(sawExpiry).build()));
        // Nor may a lease-less key vanish: k/a's delete at 8 is nobody's.
        fails(WatchChecker.check(history().watch(watch("n1", KeyRange.key("k/a"), 4, put("k/a", "a2", 4),
            WatchEvent.delete("k/a", 8))).build()), 1, "no write, acknowledged or indeterminate");
    }
}
