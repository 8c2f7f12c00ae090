package io.cairn.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Linearizable reads: ReadIndex (thesis §6.4), batched rounds, forwarding, and lease-based reads. */
class ReadIndexTest {
    @Test
    void manyReadsAreConfirmedByOneHeartbeatRound() {
        final TestNet net = TestNet.of(3);
        net.elect(1);
        final RaftNode leader = net.node(1);
        leader.readIndex(11);
        leader.readIndex(12);
        leader.readIndex(13);
        net.processReadies();
        assertEquals(2, net.pendingOf(MessageType.HEARTBEAT).size(), "one heartbeat per follower, for all 3 reads");
        assertTrue(net.reads.get(1L).isEmpty(), "nothing answered before a quorum confirms leadership");
        net.stabilize();
        final long commit = leader.commitIndex();
        assertEquals(List.of(new ReadState(commit, 11), new ReadState(commit, 12), new ReadState(commit, 13)),
            net.reads.get(1L));
    }

    @Test
    void readsWaitForAQuorumOfAcknowledgements() {
        final TestNet net = TestNet.of(5);
        net.elect(1);
        net.node(1).readIndex(7);
        net.processReadies();
        net.deliver(m -> m.type() == MessageType.HEARTBEAT && m.to() == 2);
        net.pending.clear();
        net.processReadies();
        net.deliverAll();
        net.processReadies();
        assertTrue(net.reads.get(1L).isEmpty(), "leader + 1 of 5 is no quorum");
    }

    @Test
    void followerReadIsForwardedToTheLeader() {
        final TestNet net = TestNet.of(3);
        net.elect(1);
        net.node(2).readIndex(42);
        net.stabilize();
        assertEquals(List.of(new ReadState(net.node(1).commitIndex(), 42)), net.reads.get(2L));
    }

    @Test
    void readWithoutLeaderNamesNoLeader() {
        final TestNet net = TestNet.of(3);
        final NotLeaderException e = assertThrows(NotLeaderException.class, () -> net.node(2).readIndex(1));
        assertEquals(0, e.leaderId());
    }

    @Test
    void newLeaderDefersReadsUntilItCommitsAnEntryOfItsTerm() {
        final TestNet net = TestNet.of(3);
        net.node(1).campaign();
        net.processReadies();
        net.deliverAll();
        net.processReadies();
        net.deliver(m -> m.type() == MessageType.VOTE_RESPONSE);
        assertEquals(RaftRole.LEADER, net.node(1).role());
        net.node(1).readIndex(5);
        net.processReadies();
        assertTrue(net.pendingOf(MessageType.HEARTBEAT).isEmpty(), "its commit index may still be stale");
        net.stabilize();
        final long noOpIndex = net.node(1).lastIndex();
        assertEquals(List.of(new ReadState(noOpIndex, 5)), net.reads.get(1L), "answered at the committed no-op");
    }

    @Test
    void leaseBasedReadIsAnsweredWithoutARoundTrip() {
        final TestNet net = TestNet.of(3, id -> RaftConfig.defaults(id).withReadOnlyOption(ReadOnlyOption.LEASE_BASED));
        net.elect(1);
        net.pending.clear();
        net.node(1).readIndex(9);
        net.processReadies();
        assertEquals(List.of(new ReadState(net.node(1).commitIndex(), 9)), net.reads.get(1L));
        assertTrue(net.pendingOf(MessageType.HEARTBEAT).isEmpty());
    }

    @Test
    void leaseBasedReadsRequireCheckQuorum() {
        assertThrows(IllegalArgumentException.class, () -> RaftConfig.defaults(1).withElection(true, false)
            .withReadOnlyOption(ReadOnlyOption.LEASE_BASED));
    }
}
