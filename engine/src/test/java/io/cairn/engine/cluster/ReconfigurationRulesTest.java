package io.cairn.engine.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.api.EtcdError;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** etcd's membership rules as pure functions: the apply-time checks and the strict reconfiguration checks. */
class ReconfigurationRulesTest {
    private static Member started(final long id) {
        return new Member(id, "m" + id, List.of("http://10.0.0." + id + ":2380"), List.of("http://10.0.0." + id + ":2379"),
            false);
    }

    private static Member unstarted(final long id, final boolean learner) {
        return new Member(id, "", List.of("http://10.0.0." + id + ":2380"), List.of(), learner);
    }

    @Test
    void applyTimeChecksAnswerAsEtcd() {
        final List<Member> members = List.of(started(1), started(2), unstarted(3, true));
        final Set<Long> removed = Set.of(9L);
        assertNull(MembershipRules.refuseAdd(members, removed, 4, List.of("http://10.0.0.4:2380"), false));
        assertEquals(EtcdError.MEMBER_EXISTS, MembershipRules.refuseAdd(members, removed, 2, List.of("http://x:1"), false));
        assertEquals(EtcdError.MEMBER_NOT_FOUND, MembershipRules.refuseAdd(members, removed, 9, List.of("http://x:1"), false));
        assertEquals(EtcdError.PEER_URL_EXISTS, MembershipRules.refuseAdd(members, removed, 4,
            List.of("http://10.0.0.3:2380"), false));
        assertEquals(EtcdError.TOO_MANY_LEARNERS, MembershipRules.refuseAdd(members, removed, 4,
            List.of("http://10.0.0.4:2380"), true));
        assertEquals(EtcdError.MEMBER_NOT_FOUND, MembershipRules.refuseRemove(members, removed, 9));
        assertEquals(EtcdError.MEMBER_NOT_FOUND, MembershipRules.refuseRemove(members, removed, 5));
        assertNull(MembershipRules.refuseRemove(members, removed, 3));
        assertEquals(EtcdError.MEMBER_NOT_LEARNER, MembershipRules.refusePromote(members, removed, 1));
        assertNull(MembershipRules.refusePromote(members, removed, 3));
        assertEquals(EtcdError.PEER_URL_EXISTS, MembershipRules.refuseUpdate(members, removed, 1,
            List.of("http://10.0.0.2:2380")));
        assertNull(MembershipRules.refuseUpdate(members, removed, 1, List.of("http://10.0.0.1:2380")),
            "a member may keep its own URL");
    }

    @Test
    void startedMembersMustRemainAQuorum() {
        // One member may always take a second (etcd's disaster recovery path).
        assertTrue(ReconfigurationChecks.readyToAddVoter(List.of(started(1))));
        // One started and one added-but-unstarted voter: a third voter would need two started of three.
        assertFalse(ReconfigurationChecks.readyToAddVoter(List.of(started(1), unstarted(2, false))));
        // Two started of four with the new one: not a quorum; three of five is.
        assertFalse(ReconfigurationChecks.readyToAddVoter(List.of(started(1), started(2), unstarted(3, false))));
        assertTrue(ReconfigurationChecks.readyToAddVoter(List.of(started(1), started(2), started(4), unstarted(3, false))));
        // Learners never count.
        assertTrue(ReconfigurationChecks.readyToAddVoter(List.of(started(1), unstarted(2, true))));
        assertTrue(ReconfigurationChecks.readyToRemoveVoter(List.of(started(1), started(2), unstarted(3, false)), 3));
        assertFalse(ReconfigurationChecks.readyToRemoveVoter(List.of(started(1), unstarted(2, false), unstarted(3,
            false)), 1));
        assertTrue(ReconfigurationChecks.readyToPromote(List.of(started(1), started(2), unstarted(3, true))));
        assertFalse(ReconfigurationChecks.readyToPromote(List.of(started(1), unstarted(2, false), unstarted(4, false),
            unstarted(3, true))));
    }

    @Test
    void connectedVotersMustRemainAnActiveQuorum() {
        final List<Member> three = List.of(started(1), started(2), started(3));
        assertTrue(ReconfigurationChecks.connectedToAllVoters(three, 1, id -> true));
        assertFalse(ReconfigurationChecks.connectedToAllVoters(three, 1, id -> id == 2));
        // Removing an active voter of three with only one peer up leaves one of two: refused.
        assertFalse(ReconfigurationChecks.removalKeepsActiveQuorum(three, 1, id -> id == 2));
        assertTrue(ReconfigurationChecks.removalKeepsActiveQuorum(three, 1, id -> true));
        assertTrue(ReconfigurationChecks.learnerReady(90, 100));
        assertFalse(ReconfigurationChecks.learnerReady(89, 100));
        assertTrue(ReconfigurationChecks.learnerReady(0, 0));
    }
}
