package io.cairn.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** PreVote, CheckQuorum, the leader lease and leadership transfer (thesis §9.6, §6.2, §3.10). */
class ElectionExtensionsTest {
    private static TestNet net(final boolean preVote, final boolean checkQuorum) {
        return TestNet.of(3, id -> RaftConfig.defaults(id).withElection(preVote, checkQuorum));
    }

    @Test
    void preVoteKeepsAPartitionedNodeFromRaisingItsTerm() {
        final TestNet net = net(true, false);
        net.elect(1);
        final long term = net.node(1).term();
        net.isolate(3);
        for (int i = 0; i < 100; i++) {
            net.node(3).tick();
            net.stabilize();
        }
        assertEquals(term, net.node(3).term(), "pre-votes are refused (unanswered), so the term stays");
        assertEquals(RaftRole.PRE_CANDIDATE, net.node(3).role());
        net.heal();
        net.node(1).tick();
        net.stabilize();
        assertEquals(RaftRole.LEADER, net.node(1).role(), "rejoining does not disrupt the leader");
        assertEquals(term, net.node(1).term());
        assertEquals(1, net.node(3).leader());
    }

    @Test
    void withoutPreVoteAPartitionedNodeRaisesItsTermAndDisruptsOnReturn() {
        final TestNet net = net(false, false);
        net.elect(1);
        final long term = net.node(1).term();
        net.isolate(3);
        for (int i = 0; i < 100; i++) {
            net.node(3).tick();
            net.stabilize();
        }
        assertTrue(net.node(3).term() > term + 2, "each timeout starts a real election");
        net.heal();
        for (int i = 0; i < 2 * 10; i++) {
            net.node(3).tick();
            net.stabilize();
        }
        assertNotEquals(term, net.node(1).term(), "the higher term deposes the leader: what PreVote prevents");
    }

    @Test
    void checkQuorumMakesAnIsolatedLeaderStepDown() {
        final TestNet net = net(true, true);
        net.elect(1);
        net.isolate(1);
        for (int i = 0; i < 2 * 10; i++) {
            net.node(1).tick();
            net.stabilize();
        }
        assertEquals(RaftRole.FOLLOWER, net.node(1).role(), "heard from no quorum within an election timeout");
    }

    @Test
    void followerInLeaseIgnoresVoteRequests() {
        final TestNet net = net(false, true);
        net.elect(1);
        final RaftNode follower = net.node(2);
        final long term = follower.term();
        follower.step(new Message(MessageType.VOTE, 3, 2, term + 1, 100, 100, List.of(), 0, false, 0, null, 0));
        assertEquals(term, follower.term(), "heard from the leader recently: the request is ignored");
        assertEquals(0, net.processReadies() ? net.pendingOf(MessageType.VOTE_RESPONSE).size() : 0);
        follower.step(new Message(MessageType.VOTE, 3, 2, term + 1, 100, 100, List.of(), 0, false, 0, null,
            Message.CONTEXT_TRANSFER));
        assertEquals(term + 1, follower.term(), "a transfer campaign overrides the lease");
    }

    @Test
    void leadershipTransferHandsOverToACaughtUpFollower() {
        final TestNet net = net(true, true);
        net.elect(1);
        net.node(1).propose("x".getBytes(StandardCharsets.UTF_8));
        net.stabilize();
        net.node(1).transferLeadership(3);
        net.stabilize();
        assertEquals(RaftRole.LEADER, net.node(3).role());
        assertEquals(RaftRole.FOLLOWER, net.node(1).role());
        assertEquals(3, net.node(2).leader());
    }

    @Test
    void transferWaitsForTheTargetToCatchUpAndRefusesProposalsMeanwhile() {
        final TestNet net = net(true, true);
        net.elect(1);
        net.isolate(3);
        net.node(1).propose("x".getBytes(StandardCharsets.UTF_8));
        net.stabilize();
        net.node(1).transferLeadership(3);
        net.stabilize();
        assertEquals(3, net.node(1).leadTransferee());
        assertThrows(RequestDroppedException.class, () -> net.node(1).propose(new byte[1]));
        net.heal();
        net.node(1).tick();
        net.stabilize();
        assertEquals(RaftRole.LEADER, net.node(3).role(), "caught up, then told to campaign");
    }

    @Test
    void transferIsAbandonedAfterAnElectionTimeout() {
        final TestNet net = net(true, true);
        net.elect(1);
        net.blocked = m -> m.to() == 3;
        net.node(1).propose("x".getBytes(StandardCharsets.UTF_8));
        net.stabilize();
        net.node(1).transferLeadership(3);
        for (int i = 0; i < 10; i++) {
            net.node(1).tick();
            net.node(2).tick();
            net.stabilize();
        }
        assertEquals(0, net.node(1).leadTransferee());
        assertEquals(RaftRole.LEADER, net.node(1).role());
    }
}
