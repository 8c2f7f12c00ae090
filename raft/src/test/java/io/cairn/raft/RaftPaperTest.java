package io.cairn.raft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The rules of the Raft paper (§5) and thesis (Figure 3.1 and 3.2), one test each, written from the text and
 * checked against single nodes driven message by message.
 */
class RaftPaperTest {
    private static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Message vote(final long from, final long to, final long term, final long lastIndex,
                                final long lastTerm) {
        return new Message(MessageType.VOTE, from, to, term, lastTerm, lastIndex, List.of(), 0, false, 0, null, 0);
    }

    private static List<Message> drain(final RaftNode node, final MemoryLogStorage storage) {
        final Ready ready = node.ready();
        storage.append(ready.entries());
        if (ready.hardState() != null) {
            storage.setHardState(ready.hardState());
        }
        final List<Message> messages = ready.messages(); // read before advance: the Ready is refilled after it
        node.advance(ready);
        return messages;
    }

    // ---- §5.2 leader election ---------------------------------------------------------------------------------

    /** "If a follower receives no communication over a period of time ... it begins an election." */
    @Test
    void followerStartsElectionAfterElectionTimeout() {
        final TestNet net = TestNet.of(3);
        final RaftNode node = net.node(1);
        assertEquals(RaftRole.FOLLOWER, node.role());
        net.tick(1, 2 * 10);
        assertEquals(RaftRole.CANDIDATE, node.role());
        assertEquals(2, node.term(), "a candidate increments its term");
        assertEquals(1, node.vote(), "a candidate votes for itself");
        net.processReadies();
        final List<Message> requests = net.pendingOf(MessageType.VOTE);
        assertEquals(List.of(2L, 3L), requests.stream().map(Message::to).toList());
        assertTrue(requests.stream().allMatch(m -> m.term() == 2));
    }

    /** "A candidate wins an election if it receives votes from a majority of the servers." */
    @Test
    void candidateWithMajorityBecomesLeader() {
        final TestNet net = TestNet.of(5);
        net.node(1).campaign();
        net.processReadies();
        // Only two of the four others answer: with its own vote that is 3 of 5.
        net.deliver(m -> m.type() == MessageType.VOTE && (m.to() == 2 || m.to() == 3));
        net.pending.clear();
        net.processReadies();
        net.deliver(m -> m.type() == MessageType.VOTE_RESPONSE && m.from() == 2);
        assertEquals(RaftRole.CANDIDATE, net.node(1).role(), "2 of 5 is not a majority");
        net.deliver(m -> m.type() == MessageType.VOTE_RESPONSE && m.from() == 3);
        assertEquals(RaftRole.LEADER, net.node(1).role());
    }

    /** Election Safety: "each server will vote for at most one candidate in a given term." */
    @Test
    void votesForAtMostOneCandidatePerTerm() {
        final TestNet net = TestNet.of(3);
        final RaftNode node = net.node(1);
        node.step(vote(2, 1, 5, 1, 1));
        node.step(vote(3, 1, 5, 1, 1));
        node.step(vote(2, 1, 5, 1, 1));
        final List<Message> answers = drain(node, net.storages.get(1L));
        assertEquals(3, answers.size());
        assertFalse(answers.get(0).reject(), "first candidate of the term gets the vote");
        assertTrue(answers.get(1).reject(), "second candidate of the same term is refused");
        assertFalse(answers.get(2).reject(), "a repeated request from the same candidate is granted again");
        assertEquals(new HardState(5, 2, 1), net.storages.get(1L).hardState(), "the vote is persisted");
    }

    /** §5.4.1: "the voter denies its vote if its own log is more up-to-date than that of the candidate." */
    @Test
    void voterRefusesCandidateWithLessUpToDateLog() {
        final TestNet net = TestNet.of(3);
        net.elect(1);
        net.node(1).propose(bytes("x"));
        net.stabilize();
        final RaftNode voter = net.node(2);
        final long lastIndex = voter.lastIndex();
        final long lastTerm = voter.termAt(lastIndex);
        voter.step(vote(3, 2, 10, lastIndex - 1, lastTerm));
        voter.step(vote(3, 2, 11, lastIndex, lastTerm - 1));
        voter.step(vote(3, 2, 12, lastIndex, lastTerm));
        final List<Message> answers = drain(voter, net.storages.get(2L));
        assertTrue(answers.get(0).reject(), "shorter log with same last term");
        assertTrue(answers.get(1).reject(), "older last term");
        assertFalse(answers.get(2).reject(), "equal logs are up to date");
    }

    /** "If the leader's term is at least as large as the candidate's current term, the candidate ... returns to follower." */
    @Test
    void candidateStepsDownOnAppendFromLeaderOfSameTerm() {
        final TestNet net = TestNet.of(3);
        net.node(1).campaign();
        assertEquals(RaftRole.CANDIDATE, net.node(1).role());
        net.node(1).step(new Message(MessageType.APPEND, 2, 1, net.node(1).term(), 1, 1, List.of(), 1, false, 0,
            null, 0));
        assertEquals(RaftRole.FOLLOWER, net.node(1).role());
        assertEquals(2, net.node(1).leader());
    }

    /** "If a server receives a request with a stale term number, it rejects the request." */
    @Test
    void staleTermMessagesChangeNothing() {
        final TestNet net = TestNet.of(3);
        net.elect(1);
        final RaftNode follower = net.node(2);
        final long term = follower.term();
        follower.step(new Message(MessageType.APPEND, 3, 2, term - 1, 1, 1,
            List.of(new Entry(term - 1, 2, EntryType.NORMAL, bytes("stale"))), 2, false, 0, null, 0));
        follower.step(vote(3, 2, term - 1, 100, term - 1));
        assertEquals(term, follower.term());
        assertEquals(1, follower.leader());
        assertEquals(net.node(1).lastIndex(), follower.lastIndex(), "no stale entry appended");
    }

    /** "If RPC request or response contains term T > currentTerm: set currentTerm = T, convert to follower." */
    @Test
    void higherTermTurnsLeaderIntoFollower() {
        final TestNet net = TestNet.of(3);
        net.elect(1);
        final RaftNode leader = net.node(1);
        leader.step(new Message(MessageType.APPEND_RESPONSE, 2, 1, leader.term() + 3, 0, 0, List.of(), 0, false, 0,
            null, 0));
        assertEquals(RaftRole.FOLLOWER, leader.role());
        assertEquals(net.node(2).term() + 3, leader.term());
    }

    // ---- §5.3 log replication ---------------------------------------------------------------------------------

    /** "A log entry is committed once the leader ... has replicated it on a majority of the servers." */
    @Test
    void entryCommitsOnceAMajorityHoldsIt() {
        final TestNet net = TestNet.of(3);
        net.elect(1);
        final long before = net.node(1).commitIndex();
        net.node(1).propose(bytes("a"));
        net.processReadies();
        assertEquals(before, net.node(1).commitIndex(), "not committed on the leader alone");
        net.deliver(m -> m.type() == MessageType.APPEND && m.to() == 2);
        net.pending.clear();
        net.processReadies();
        net.deliver(m -> m.type() == MessageType.APPEND_RESPONSE);
        assertEquals(before + 1, net.node(1).commitIndex(), "leader + node 2 is a majority of 3");
    }

    /** Leader Append-Only and Log Matching: a follower's conflicting suffix is replaced by the leader's entries. */
    @Test
    void followerConflictsAreOverwrittenByTheLeader() {
        final TestNet net = TestNet.of(3);
        // Node 3 led term 2 and appended entries nobody else got before it crashed.
        net.storages.get(3L).append(List.of(new Entry(2, 2, EntryType.NORMAL, bytes("lost-1")),
            new Entry(2, 3, EntryType.NORMAL, bytes("lost-2"))));
        net.setTermEverywhere(2, RaftConfig.defaults(1).withElection(false, false));
        net.elect(2);
        final RaftNode leader = net.node(2);
        leader.propose(bytes("kept"));
        net.stabilize();
        final RaftNode follower = net.node(3);
        assertEquals(leader.lastIndex(), follower.lastIndex());
        for (long i = 2; i <= leader.lastIndex(); i++) {
            assertEquals(leader.termAt(i), follower.termAt(i), "entry " + i);
        }
        assertTrue(net.appliedData(3).stream().noneMatch(d -> new String(d, StandardCharsets.UTF_8).startsWith("lost")));
        assertArrayEquals(bytes("kept"), net.appliedData(3).getLast());
    }

    /** The consistency check: an APPEND whose previous entry does not match is refused, with a term hint. */
    @Test
    void appendWithMismatchedPreviousEntryIsRefusedWithAHint() {
        final TestNet net = TestNet.of(3);
        final MemoryLogStorage storage = net.storages.get(2L);
        storage.append(List.of(new Entry(2, 2, EntryType.NORMAL, bytes("a")), new Entry(2, 3, EntryType.NORMAL,
            bytes("b")), new Entry(2, 4, EntryType.NORMAL, bytes("c"))));
        net.nodes.put(2L, new RaftNode(RaftConfig.defaults(2).withElection(false, false).withAppliedIndex(1), storage,
            Randomness.seeded(2)));
        // The leader of term 5 probes after index 4 with prevLogTerm 4: our entry 4 has term 2.
        net.node(2).step(new Message(MessageType.APPEND, 1, 2, 5, 4, 4, List.of(), 0, false, 0, null, 0));
        final List<Message> answers = drain(net.node(2), storage);
        final Message answer = answers.getFirst();
        assertTrue(answer.reject());
        assertEquals(4, answer.index());
        assertEquals(4, answer.rejectHint(), "our last entry at or below 4 with term <= 4");
        assertEquals(2, answer.logTerm(), "its term lets the leader skip all of its own term-3/4 entries at once");
    }

    /**
     * Fast backtracking: a follower that diverged for many entries catches up in a few round trips, not one per
     * entry.
     */
    @Test
    void leaderBacktracksAConflictingFollowerInFewRoundTrips() {
        final TestNet net = TestNet.of(3);
        final MemoryLogStorage divergent = net.storages.get(3L);
        for (long i = 2; i <= 101; i++) {
            divergent.append(List.of(new Entry(2, i, EntryType.NORMAL, bytes("old"))));
        }
        net.setTermEverywhere(2, RaftConfig.defaults(1).withElection(false, false));
        net.blocked = m -> m.to() == 3 || m.from() == 3;
        net.node(1).campaign();
        net.stabilize();
        for (int i = 0; i < 50; i++) {
            net.node(1).propose(bytes("new"));
        }
        net.stabilize();
        net.heal();
        int rejections = 0;
        net.node(1).tick();
        for (int round = 0; round < 100; round++) {
            net.processReadies();
            rejections += (int) net.pending.stream().filter(m -> m.type() == MessageType.APPEND_RESPONSE
                && m.reject()).count();
            if (net.deliverAll() == 0 && !net.processReadies()) {
                break;
            }
        }
        assertEquals(net.node(1).lastIndex(), net.node(3).lastIndex());
        assertEquals(net.node(1).termAt(net.node(1).lastIndex()), net.node(3).termAt(net.node(3).lastIndex()));
        assertTrue(rejections <= 3, "term hints skip the whole conflicting term; rejections: " + rejections);
    }

    /**
     * §5.4.2 (Figure 8): "Raft never commits log entries from previous terms by counting replicas." A leader of term 3
     * that replicates an old term-2 entry to a majority must not commit it until an entry of term 3 is replicated.
     */
    @Test
    void entriesOfEarlierTermsCommitOnlyWithAnEntryOfTheCurrentTerm() {
        final TestNet net = TestNet.of(3, id -> RaftConfig.defaults(id).withElection(false, false)
            .withFlowControl(1, 1));
        // Node 1 holds an entry of term 2 at index 2 that never reached anyone else.
        final MemoryLogStorage storage = net.storages.get(1L);
        storage.append(List.of(new Entry(2, 2, EntryType.NORMAL, bytes("old"))));
        storage.setHardState(new HardState(2, 1, 1));
        net.nodes.put(1L, new RaftNode(RaftConfig.defaults(1).withElection(false, false).withFlowControl(1, 1)
            .withAppliedIndex(1), storage, Randomness.seeded(1)));
        net.node(1).campaign();
        net.processReadies();
        net.deliverAll();
        net.processReadies();
        net.deliver(m -> m.type() == MessageType.VOTE_RESPONSE);
        assertEquals(RaftRole.LEADER, net.node(1).role());
        assertEquals(3, net.node(1).term());
        net.pending.clear();
        // Replicate one entry per message to node 2 only, and stop right after it acknowledges index 2.
        for (int round = 0; round < 20 && net.node(2).lastIndex() < 2; round++) {
            net.processReadies();
            net.deliver(m -> m.to() == 2 || m.to() == 1 && m.from() == 2);
        }
        assertEquals(2, net.node(2).lastIndex());
        assertEquals(2, net.node(2).termAt(2));
        net.processReadies();
        net.deliver(m -> m.type() == MessageType.APPEND_RESPONSE && m.from() == 2);
        assertEquals(1, net.node(1).commitIndex(),
            "index 2 (term 2) is on a majority, but counting replicas of an old term commits nothing");
        // Once the no-op of term 3 at index 3 reaches node 2, both commit together.
        for (int round = 0; round < 20 && net.node(1).commitIndex() < 3; round++) {
            net.processReadies();
            net.deliver(m -> m.to() == 2 || m.to() == 1 && m.from() == 2);
        }
        assertEquals(3, net.node(1).commitIndex());
    }

    /** Leader Completeness: a node missing a committed entry cannot gather a majority. */
    @Test
    void nodeMissingCommittedEntryCannotBeElected() {
        final TestNet net = TestNet.of(3);
        net.elect(1);
        net.isolate(3);
        net.node(1).propose(bytes("committed"));
        net.stabilize();
        final long committed = net.node(1).commitIndex();
        assertTrue(net.node(3).lastIndex() < committed);
        net.heal();
        net.blocked = m -> m.from() == 1 || m.to() == 1;
        net.node(3).campaign();
        net.stabilize();
        assertNotEquals(RaftRole.LEADER, net.node(3).role());
        net.node(2).campaign();
        net.stabilize();
        assertEquals(RaftRole.LEADER, net.node(2).role(), "node 2 holds the committed entry and can win");
    }

    /** State Machine Safety: every node applies the same entries in the same order, across leader changes. */
    @Test
    void allNodesApplyTheSameSequence() {
        final TestNet net = TestNet.of(5);
        net.elect(1);
        for (int i = 0; i < 5; i++) {
            net.node(1).propose(bytes("a" + i));
        }
        net.stabilize();
        net.elect(4);
        for (int i = 0; i < 5; i++) {
            net.node(2).propose(bytes("b" + i));
        }
        net.stabilize();
        final List<Entry> reference = net.applied.get(1L);
        assertEquals(net.node(4).commitIndex(), reference.getLast().index());
        for (long id = 2; id <= 5; id++) {
            assertEquals(reference, net.applied.get(id), "node " + id);
        }
        assertEquals(10, net.appliedData(1).size());
    }

    /** A leader counts its own log only once it is durable: a crash before that cannot lose a committed entry. */
    @Test
    void leaderCountsItselfOnlyForDurableEntries() {
        final TestNet net = TestNet.of(1);
        net.elect(1);
        final RaftNode leader = net.node(1);
        final long commit = leader.commitIndex();
        leader.propose(bytes("x"));
        final Ready ready = leader.ready();
        assertEquals(commit, leader.commitIndex(), "appended but not yet persisted");
        net.storages.get(1L).append(ready.entries());
        leader.advance(ready);
        assertEquals(commit + 1, leader.commitIndex());
    }
}
