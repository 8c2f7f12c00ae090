package io.cairn.chaos.check;

import static io.cairn.chaos.check.Facts.fails;
import static io.cairn.chaos.check.Facts.finalState;
import static io.cairn.chaos.check.Facts.leasedPut;
import static io.cairn.chaos.check.Facts.linearizable;
import static io.cairn.chaos.check.Facts.passes;
import static io.cairn.chaos.check.Facts.put;
import static io.cairn.chaos.check.Facts.serializable;
import static io.cairn.chaos.check.Facts.stored;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeaseCheckerTest {
    private static final long LEASE = 0x2bL;
    /** The revoke of LEASE was acknowledged at 100 ns and deleted its key at revision 4. */
    private static final LeaseFacts REVOKED = new LeaseFacts(LEASE, List.of(new LeasedKey("s", "v1", 2)),
        new LeaseEnd(LeaseEnd.Kind.REVOKED, 100, 4));

    private static RunHistory.Builder history() {
        return RunHistory.builder()
            .write(leasedPut("n1", "s", "v1", LEASE, 2, 10, 20))
            .write(put("n2", "other", "o1", 3, 30, 40))
            .lease(REVOKED);
    }

    @Test
    void readsBeforeTheRevokeMaySeeTheKeyAndNoneAfter() {
        final RunHistory history = history()
            .read(linearizable("n2", "s", "v1", 2, 3, 50, 60))
            // Sent before the revoke was acknowledged, answered after: may still see it.
            .read(linearizable("n3", "s", "v1", 2, 3, 90, 110))
            .read(linearizable("n3", "s", null, 0, 4, 120, 130))
            // A lagging member, not yet at the deleting revision 4: stale, but allowed.
            .read(serializable("n3", "s", "v1", 2, 3, 140, 150))
            .finalState(finalState("n1", 4, Map.of("other", stored("o1", 3))))
            .finalState(finalState("n2", 4, Map.of("other", stored("o1", 3))))
            .build();
        final CheckResult result = passes(LeaseChecker.check(history));
        assertTrue(result.checked().contains("3 reads of leased values"), result.checked());
    }

    @Test
    void aLinearizableReadSentAfterTheRevokeThatSeesTheLeasesValueIsReported() {
        final CheckResult result = fails(LeaseChecker.check(history()
            .read(linearizable("n2", "s", "v1", 2, 3, 101, 110)).build()), 1, "after its lease ended");
        assertTrue(result.violations().getFirst().slice().getFirst().contains("lease 2b"));
    }

    /** A report names the member that said the lease was gone: an etcd leader cut off says so wrongly. */
    @Test
    void aReportNamesWhoSaidTheLeaseWasGone() {
        final CheckResult result = fails(LeaseChecker.check(RunHistory.builder()
            .write(leasedPut("n1", "s", "v1", LEASE, 2, 10, 20))
            .lease(new LeaseFacts(LEASE, List.of(new LeasedKey("s", "v1", 2)), LeaseEnd.expired(100).toldBy("n3")))
            .read(linearizable("n1", "s", "v1", 2, 3, 101, 110))
            .build()), 1, "after its lease ended");
        assertTrue(result.violations().getFirst().slice().getFirst().contains("expired (told by n3)"),
            result.violations().toString());
    }

    @Test
    void aSerializableReadAtOrPastTheDeletingRevisionThatSeesTheValueIsReported() {
        fails(LeaseChecker.check(history().read(serializable("n2", "s", "v1", 2, 4, 101, 110)).build()), 1,
            "after its lease ended");
    }

    @Test
    void aMemberStillHoldingARevokedLeasesKeyAtTheEndIsReported() {
        fails(LeaseChecker.check(history()
            .finalState(finalState("n1", 4, Map.of("other", stored("o1", 3))))
            .finalState(finalState("n3", 4, Map.of("other", stored("o1", 3), "s", stored("v1", 2))))
            .build()), 1, "n3 still holds a key of a lease that ended");
    }

    @Test
    void anIndeterminateLeasedPutIsRecognisedByItsValue() {
        final RunHistory history = RunHistory.builder()
            .write(KvWrite.indeterminate(1, "n1", Mutation.put("s", "v7", LEASE), 10))
            .lease(new LeaseFacts(LEASE, List.of(), LeaseEnd.revoked(100)))
            .read(linearizable("n2", "s", "v7", 9, 9, 120, 130))
            .build();
        fails(LeaseChecker.check(history), 1, "after its lease ended");
    }
}
