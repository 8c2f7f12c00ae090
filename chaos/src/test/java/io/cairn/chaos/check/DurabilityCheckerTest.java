package io.cairn.chaos.check;

import static io.cairn.chaos.check.Facts.delete;
import static io.cairn.chaos.check.Facts.fails;
import static io.cairn.chaos.check.Facts.finalState;
import static io.cairn.chaos.check.Facts.indeterminatePut;
import static io.cairn.chaos.check.Facts.leasedPut;
import static io.cairn.chaos.check.Facts.passes;
import static io.cairn.chaos.check.Facts.put;
import static io.cairn.chaos.check.Facts.stored;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DurabilityCheckerTest {
    private static final long LEASE = 0x3cL;
    /** The state every member should end with: x=3 (an indeterminate put, committed at 5), y deleted, z's lease expired. */
    private static final Map<String, Stored> RIGHT = Map.of("x", stored("3", 5), "w", stored("w1", 6));

    private static RunHistory.Builder history() {
        return RunHistory.builder()
            .write(put("n1", "x", "1", 2, 10, 20))
            .write(put("n2", "y", "1", 3, 30, 40))
            .write(put("n3", "x", "2", 4, 50, 60))
            .write(indeterminatePut("n1", "x", "3", 65))
            .write(indeterminatePut("n1", "x", "never", 66))
            .write(put("n2", "w", "w1", 6, 70, 80))
            .write(delete("n3", "y", 7, 1, 85, 90))
            .write(leasedPut("n1", "z", "z1", LEASE, 8, 91, 92))
            .lease(new LeaseFacts(LEASE, List.of(new LeasedKey("z", "z1", 8)), LeaseEnd.expired(200)));
    }

    private static FinalState member(final String member, final Map<String, Stored> keys, final long hash) {
        return new FinalState(member, 9, keys, new FinalState.HashKv(9, 0, hash));
    }

    @Test
    void membersThatAllHoldEveryKeysLastWritePass() {
        final CheckResult result = passes(DurabilityChecker.check(history()
            .finalState(member("n1", RIGHT, 0xabc))
            .finalState(member("n2", RIGHT, 0xabc))
            .finalState(member("n3", RIGHT, 0xabc))
            .build()));
        assertTrue(result.checked().contains("4 keys on 3 members"), result.checked());
    }

    @Test
    void aMemberHoldingAnOlderValueThanAnAcknowledgedWriteIsReported() {
        final CheckResult result = fails(DurabilityChecker.check(history()
            .finalState(finalState("n1", 9, RIGHT))
            .finalState(finalState("n2", 9, Map.of("x", stored("1", 2), "w", stored("w1", 6))))
            .build()), 2, "members disagree on x");
        assertTrue(result.violations().get(1).statement().contains("acknowledged write to x is lost"),
            result.violations().toString());
    }

    @Test
    void anAbsentKeyWhoseLastAcknowledgedWriteIsAnUnexpiredPutIsReported() {
        fails(DurabilityChecker.check(history()
            .finalState(finalState("n1", 9, Map.of("x", stored("3", 5))))
            .build()), 1, "acknowledged put to w is lost");
    }

    @Test
    void aValueNoWriteCommittedIsReported() {
        fails(DurabilityChecker.check(history()
            .finalState(finalState("n1", 9, Map.of("x", stored("3", 5), "w", stored("w1", 6),
                "phantom", stored("p", 9))))
            .build()), 1, "never committed");
    }

    @Test
    void differentFinalRevisionsOrHashesAreReported() {
        fails(DurabilityChecker.check(history()
            .finalState(finalState("n1", 9, RIGHT))
            .finalState(finalState("n2", 10, RIGHT))
            .build()), 1, "different revisions");
        fails(DurabilityChecker.check(history()
            .finalState(member("n1", RIGHT, 0xabc))
            .finalState(member("n2", RIGHT, 0xabd))
            .build()), 1, "HashKV at revision 9 (compacted at 0) differ");
    }

    @Test
    void hashesAtDifferentCompactRevisionsAreNotCompared() {
        // A member that caught up by snapshot may hold the history from a later compaction: its
        // HashKV covers less, so it differs by design.
        passes(DurabilityChecker.check(history()
            .finalState(member("n1", RIGHT, 0xabc))
            .finalState(new FinalState("n2", 9, RIGHT, new FinalState.HashKv(9, 7, 0x123)))
            .build()));
        fails(DurabilityChecker.check(history()
            .finalState(new FinalState("n1", 9, RIGHT, new FinalState.HashKv(9, 7, 0x124)))
            .finalState(new FinalState("n2", 9, RIGHT, new FinalState.HashKv(9, 7, 0x123)))
            .build()), 1, "HashKV at revision 9 (compacted at 7) differ");
    }

    @Test
    void aReplacedMemberIsJudgedOnItsFinalStateAndExcusedNothing() {
        // n2 was wiped and rejoined: what it held before is gone by design, and is not asked for.
        final CheckResult result = passes(DurabilityChecker.check(history()
            .restart(new MemberRestart("n2", 95, true))
            .finalState(member("n1", RIGHT, 0xabc))
            .finalState(member("n2", RIGHT, 0xabc))
            .build()));
        assertTrue(result.checked().contains("1 replacements (data wiped) judged on their final state"),
            result.checked());
        // But it must have caught up: an acknowledged write missing from it is lost all the same.
        fails(DurabilityChecker.check(history()
            .restart(new MemberRestart("n2", 95, true))
            .finalState(finalState("n1", 9, RIGHT))
            .finalState(finalState("n2", 9, Map.of("x", stored("3", 5))))
            .build()), 2, "members disagree on w");
    }

    @Test
    void twoAcknowledgedWritesClaimingOneKeyAtOneRevisionAreReported() {
        fails(DurabilityChecker.check(RunHistory.builder()
            .write(put("n1", "x", "1", 2, 10, 20))
            .write(put("n2", "x", "2", 2, 10, 20))
            .build()), 1, "two acknowledged writes claim x at revision 2");
    }

    @Test
    void aLeaseNamedOnlyInTheLeasesFactsStillExplainsItsKeysAbsence() {
        final RunHistory.Builder history = RunHistory.builder().write(put("n1", "q", "q1", 2, 10, 20));
        fails(DurabilityChecker.check(history.finalState(finalState("n1", 3, Map.of())).build()), 1,
            "acknowledged put to q is lost");
        passes(DurabilityChecker.check(history
            .lease(new LeaseFacts(0x4d, List.of(new LeasedKey("q", "q1", 2)), LeaseEnd.expired(30)))
            .build()));
    }
}
