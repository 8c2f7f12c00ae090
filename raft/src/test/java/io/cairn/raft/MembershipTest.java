package io.cairn.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Learners, single-step changes, joint consensus (thesis §4.3) and their encoding. */
class MembershipTest {
    private static TestNet withSpare(final int voters, final long spare) {
        final TestNet net = TestNet.of(voters);
        net.add(spare, RaftConfig.defaults(spare).withElection(false, false), new MemoryLogStorage());
        return net;
    }

    @Test
    void learnerReplicatesButNeitherVotesInQuorumsNorCampaigns() {
        final TestNet net = withSpare(3, 4);
        net.elect(1);
        net.node(1).proposeConfChange(ConfChange.of(ConfChangeSingle.addLearner(4)));
        net.stabilize();
        assertEquals(List.of(4L), net.node(1).confState().learners());
        net.node(1).propose(new byte[] {1});
        net.stabilize();
        assertEquals(net.node(1).commitIndex(), net.node(4).commitIndex(), "the learner gets the log");
        net.tick(4, 100);
        net.stabilize();
        assertEquals(RaftRole.FOLLOWER, net.node(4).role(), "a learner never campaigns");
        // With two voters down, leader + learner is no quorum.
        net.blocked = m -> m.to() == 2 || m.to() == 3 || m.from() == 2 || m.from() == 3;
        final long commit = net.node(1).commitIndex();
        net.node(1).propose(new byte[] {2});
        net.stabilize();
        assertEquals(commit, net.node(1).commitIndex());
    }

    @Test
    void learnerIsPromotedToVoter() {
        final TestNet net = withSpare(3, 4);
        net.elect(1);
        net.node(1).proposeConfChange(ConfChange.of(ConfChangeSingle.addLearner(4)));
        net.stabilize();
        net.node(1).proposeConfChange(ConfChange.of(ConfChangeSingle.addVoter(4)));
        net.stabilize();
        assertEquals(List.of(1L, 2L, 3L, 4L), net.node(4).confState().voters());
        assertTrue(net.node(4).confState().learners().isEmpty());
        net.elect(4);
    }

    @Test
    void jointConsensusReplacesAVoterAndLeavesAutomatically() {
        final TestNet net = withSpare(3, 4);
        net.elect(1);
        net.node(1).proposeConfChange(ConfChange.of(ConfChangeSingle.addVoter(4), ConfChangeSingle.remove(3)));
        net.processReadies();
        net.deliverAll();
        net.processReadies();
        net.deliverAll();
        net.processReadies();
        final ConfState joint = net.node(1).confState();
        assertEquals(List.of(1L, 2L, 4L), joint.voters());
        assertEquals(List.of(1L, 2L, 3L), joint.votersOutgoing(), "both majorities decide while joint");
        net.stabilize();
        final ConfState after = net.node(1).confState();
        assertEquals(List.of(1L, 2L, 4L), after.voters());
        assertTrue(after.votersOutgoing().isEmpty(), "the leader proposed leaving the joint config by itself");
        for (long id : List.of(1L, 2L, 4L)) {
            assertEquals(after, net.node(id).confState(), "node " + id);
        }
    }

    @Test
    void explicitJointConfigurationWaitsForLeaveJoint() {
        final TestNet net = withSpare(3, 4);
        net.elect(1);
        net.node(1).proposeConfChange(new ConfChange(ConfChange.Transition.JOINT_EXPLICIT,
            List.of(ConfChangeSingle.addVoter(4))));
        net.stabilize();
        assertEquals(List.of(1L, 2L, 3L), net.node(1).confState().votersOutgoing());
        assertThrows(RequestDroppedException.class, () -> net.node(1).proposeConfChange(
            ConfChange.of(ConfChangeSingle.remove(2))), "no new change while joint");
        net.node(1).proposeConfChange(ConfChange.leaveJoint());
        net.stabilize();
        assertTrue(net.node(1).confState().votersOutgoing().isEmpty());
        assertEquals(List.of(1L, 2L, 3L, 4L), net.node(1).confState().voters());
    }

    @Test
    void changingTwoVotersWithoutJointConsensusIsRefused() {
        final ProgressTracker tracker = new ProgressTracker(4, 0);
        final ConfChanger.Result start = ConfChanger.restore(tracker, 1, ConfState.ofVoters(1L, 2L, 3L));
        tracker.switchTo(start.config(), start.progress());
        // Two changes with AUTO go joint; forcing one step is only possible by crafting the list per change, so
        // check the rule where it lives: a simple change may alter at most one voter.
        final ConfChanger.Result one = ConfChanger.apply(tracker, 1, ConfChange.of(ConfChangeSingle.addVoter(4)));
        assertEquals(List.of(1L, 2L, 3L, 4L), TrackerConfig.ids(one.config().voters().incoming()));
        assertTrue(ConfChange.of(ConfChangeSingle.addVoter(4), ConfChangeSingle.remove(1)).entersJoint());
    }

    @Test
    void secondChangeIsRefusedUntilTheFirstIsApplied() {
        final TestNet net = withSpare(3, 4);
        net.elect(1);
        net.node(1).proposeConfChange(ConfChange.of(ConfChangeSingle.addLearner(4)));
        assertThrows(RequestDroppedException.class,
            () -> net.node(1).proposeConfChange(ConfChange.of(ConfChangeSingle.remove(3))));
    }

    @Test
    void removedLeaderHandsLeadershipToAVoter() {
        final TestNet net = TestNet.of(3, id -> RaftConfig.defaults(id).withElection(true, true));
        net.elect(1);
        net.node(1).proposeConfChange(ConfChange.of(ConfChangeSingle.remove(1)));
        net.stabilize();
        for (int i = 0; i < 3; i++) {
            net.node(1).tick();
            net.stabilize();
        }
        final long newLeader = net.node(2).role() == RaftRole.LEADER ? 2 : 3;
        assertEquals(RaftRole.LEADER, net.node(newLeader).role());
        assertEquals(List.of(2L, 3L), net.node(newLeader).confState().voters());
    }

    @Test
    void confChangeEncodingRoundTrips() {
        final ConfChange change = new ConfChange(ConfChange.Transition.JOINT_IMPLICIT, List.of(
            ConfChangeSingle.addVoter(7), ConfChangeSingle.addLearner(8), ConfChangeSingle.remove(9)));
        assertEquals(change, ConfChange.decode(change.encode()));
        assertThrows(IllegalArgumentException.class, () -> ConfChange.decode(new byte[] {0, 0, 0, 0, 2}));
    }

    @Test
    void changerRejectsInvalidTransitions() {
        final ProgressTracker tracker = new ProgressTracker(4, 0);
        final ConfChanger.Result start = ConfChanger.restore(tracker, 1, ConfState.ofVoters(1L, 2L, 3L));
        tracker.switchTo(start.config(), start.progress());
        assertThrows(IllegalArgumentException.class, () -> ConfChanger.apply(tracker, 1, ConfChange.leaveJoint()),
            "not joint");
        assertThrows(IllegalArgumentException.class, () -> ConfChanger.apply(tracker, 1, new ConfChange(
            ConfChange.Transition.AUTO, List.of(ConfChangeSingle.remove(1), ConfChangeSingle.remove(2),
                ConfChangeSingle.remove(3)))), "no voters left");
        final ConfChanger.Result joint = ConfChanger.apply(tracker, 1, ConfChange.of(ConfChangeSingle.addVoter(4),
            ConfChangeSingle.addLearner(1)));
        assertEquals(List.of(1L), joint.config().learnersNext().stream().toList(),
            "an outgoing voter becomes a learner only on leaving");
        tracker.switchTo(joint.config(), joint.progress());
        final ConfChanger.Result left = ConfChanger.apply(tracker, 1, ConfChange.leaveJoint());
        assertEquals(List.of(1L), left.config().learners().stream().toList());
        assertEquals(List.of(2L, 3L, 4L), TrackerConfig.ids(left.config().voters().incoming()));
    }
}
