package io.cairn.chaos.check;

import static io.cairn.chaos.check.Facts.delete;
import static io.cairn.chaos.check.Facts.fails;
import static io.cairn.chaos.check.Facts.failedPut;
import static io.cairn.chaos.check.Facts.indeterminatePut;
import static io.cairn.chaos.check.Facts.linearizable;
import static io.cairn.chaos.check.Facts.passes;
import static io.cairn.chaos.check.Facts.put;
import static io.cairn.chaos.check.Facts.serializable;

import org.junit.jupiter.api.Test;

class SerializableReadCheckerTest {
    /** x=1 at 2, y=1 at 3, x=2 at 4, an indeterminate x=3 (committed at 6, as reads show), x deleted at 7. */
    private static RunHistory.Builder history() {
        return RunHistory.builder()
            .write(put("n1", "x", "1", 2, 10, 20))
            .write(put("n1", "y", "1", 3, 30, 40))
            .write(put("n2", "x", "2", 4, 50, 60))
            .write(delete("n2", "nothing-here", 4, 0, 62, 64))
            .write(indeterminatePut("n3", "x", "3", 70))
            .write(delete("n1", "x", 7, 1, 80, 90));
    }

    @Test
    void staleButRealReadsThatNeverGoBackPass() {
        passes(SerializableReadChecker.check(history()
            .read(serializable("n3", "x", "1", 2, 2, 25, 26))
            // n3 lags: still x=1 at revision 3, later than the put of x=2 was acknowledged.
            .read(serializable("n3", "x", "1", 2, 3, 65, 66))
            .read(serializable("n3", "x", "3", 6, 6, 75, 76))
            .read(serializable("n3", "x", null, 0, 7, 95, 96))
            // Overlapping reads on one member may come back in either order.
            .read(serializable("n2", "x", "2", 4, 5, 100, 130))
            .read(serializable("n2", "x", "2", 4, 4, 110, 120))
            // Other members are free to be further behind.
            .read(serializable("n1", "y", "1", 3, 3, 140, 150))
            .read(linearizable("n1", "x", "3", 6, 6, 76, 79))
            .read(linearizable("n2", "x", null, 0, 7, 95, 99))
            .build()));
    }

    @Test
    void aValueThatOnlyAFailedWriteWroteIsReported() {
        fails(SerializableReadChecker.check(history()
            .write(failedPut("n1", "y", "ghost", 41, 42))
            .read(serializable("n2", "y", "ghost", 5, 5, 45, 46)).build()), 1, "never committed");
    }

    @Test
    void aValueAtTheWrongModRevisionIsReported() {
        fails(SerializableReadChecker.check(history()
            .read(serializable("n2", "x", "1", 4, 4, 65, 66)).build()), 1, "wrote something else");
    }

    @Test
    void aSerializableReadThatGoesBackOnOneMemberIsReportedUnlessTheMemberRestarted() {
        final RunHistory.Builder wentBack = history()
            .read(serializable("n3", "x", "2", 4, 5, 100, 110))
            .read(serializable("n3", "x", "1", 2, 3, 120, 130));
        fails(SerializableReadChecker.check(wentBack.build()), 1, "older revision");
        passes(SerializableReadChecker.check(wentBack.restart(new MemberRestart("n3", 115)).build()));
    }

    @Test
    void aReplacedMemberStartsItsSerializableReadsAfresh() {
        // n3 was stopped for good at 115, wiped and added back as a new member: it starts empty,
        // so its reads may begin below what the old member had shown.
        final RunHistory.Builder replaced = history()
            .read(serializable("n3", "x", "2", 4, 5, 100, 110))
            .read(serializable("n3", "x", "1", 2, 3, 120, 130))
            .restart(new MemberRestart("n3", 115, true));
        passes(SerializableReadChecker.check(replaced.build()));
        // Within the new member's life, going back is still reported.
        fails(SerializableReadChecker.check(replaced
            .read(serializable("n3", "x", "2", 4, 5, 140, 150))
            .read(serializable("n3", "x", "1", 2, 3, 160, 170)).build()), 1, "older revision");
    }

    @Test
    void aLinearizableReadOlderThanAnEarlierOneOnAnotherMemberIsReported() {
        fails(SerializableReadChecker.check(history()
            .read(linearizable("n1", "x", "2", 4, 5, 100, 110))
            .read(linearizable("n2", "x", "1", 2, 3, 120, 130)).build()), 1, "older revision");
    }

    @Test
    void aValueOverwrittenWithinItsOwnHeaderRevisionIsReported() {
        // Revision 5 includes the put of x=2 at 4, so x=1 cannot be the value at 5.
        fails(SerializableReadChecker.check(history()
            .read(serializable("n3", "x", "1", 2, 5, 65, 66)).build()), 1, "overwritten");
    }

    @Test
    void anAbsenceAfterAnUndeletedPutIsReported() {
        fails(SerializableReadChecker.check(history()
            .read(serializable("n3", "y", null, 0, 5, 65, 66)).build()), 1, "absent");
    }
}
