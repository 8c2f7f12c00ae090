package io.cairn.engine.cluster;

import java.util.List;
import java.util.function.LongPredicate;

/**
 * etcd 3.4's --strict-reconfig-check rules, as pure functions of the members and of which peers
 * this member has been connected to for a while: a change is refused when it would leave fewer
 * started members than a quorum ("not enough started members"), or when this member cannot see
 * enough of the cluster to judge ("unhealthy cluster"). A member is started once it has published
 * its name (etcd's IsStarted). Learners never count towards a quorum.
 */
public final class ReconfigurationChecks {
    /** etcd's readyPercent: a learner within 10% of the leader's log may be promoted. */
    private static final double LEARNER_READY_FRACTION = 0.9;

    private ReconfigurationChecks() {
    }

    /** etcd's IsReadyToAddVotingMember: with the new voter (not started yet), a quorum is still started. */
    public static boolean readyToAddVoter(final List<Member> members) {
        int voters = 1;
        int started = 0;
        for (final Member member : voters(members)) {
            voters++;
            started += member.started() ? 1 : 0;
        }
        if (started == 1 && voters == 2) {
            return true; // growing a one-member cluster (etcd's disaster recovery path) is always allowed
        }
        return started >= voters / 2 + 1;
    }

    /** etcd's IsReadyToRemoveVotingMember: without {@code id}, a quorum of the remaining voters is started. */
    public static boolean readyToRemoveVoter(final List<Member> members, final long id) {
        int voters = 0;
        int started = 0;
        for (final Member member : voters(members)) {
            if (member.id() != id) {
                voters++;
                started += member.started() ? 1 : 0;
            }
        }
        return started >= voters / 2 + 1;
    }

    /** etcd's IsReadyToPromoteMember: with the learner counted as a started voter, a quorum is started. */
    public static boolean readyToPromote(final List<Member> members) {
        int voters = 1;
        int started = 1;
        for (final Member member : voters(members)) {
            voters++;
            started += member.started() ? 1 : 0;
        }
        return started >= voters / 2 + 1;
    }

    /** etcd's isConnectedFullySince: every other voter has been connected for the health interval. */
    public static boolean connectedToAllVoters(final List<Member> members, final long self,
        final LongPredicate connectedLongEnough) {
        return connectedVoters(members, self, connectedLongEnough) == voters(members).size();
    }

    /**
     * etcd's check before removing a voter that is up: the voters connected for the health interval
     * (this member included), less the one removed, must still be a quorum of the voters.
     */
    public static boolean removalKeepsActiveQuorum(final List<Member> members, final long self,
        final LongPredicate connectedLongEnough) {
        final int voters = voters(members).size();
        final int active = connectedVoters(members, self, connectedLongEnough);
        return active - 1 >= 1 + (voters - 1) / 2;
    }

    /** etcd's isLearnerReady: the learner's log reaches 90% of the leader's. */
    public static boolean learnerReady(final long learnerMatchIndex, final long leaderMatchIndex) {
        return learnerMatchIndex >= leaderMatchIndex * LEARNER_READY_FRACTION;
    }

    private static int connectedVoters(final List<Member> members, final long self,
        final LongPredicate connectedLongEnough) {
        int connected = 0;
        for (final Member member : voters(members)) {
            if (member.id() == self || connectedLongEnough.test(member.id())) {
                connected++;
            }
        }
        return connected;
    }

    private static List<Member> voters(final List<Member> members) {
        return members.stream().filter(m -> !m.learner()).toList();
    }
}
