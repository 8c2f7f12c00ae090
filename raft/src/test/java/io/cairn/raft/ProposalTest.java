package io.cairn.raft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Proposals: forwarding, "not leader" answers, flow control and the Ready/advance contract. */
class ProposalTest {
    private static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void followerForwardsProposalsToTheLeader() {
        final TestNet net = TestNet.of(3);
        net.elect(1);
        net.node(3).propose(bytes("via-follower"));
        net.processReadies();
        assertEquals(1, net.pendingOf(MessageType.PROPOSE).size());
        assertEquals(1, net.pendingOf(MessageType.PROPOSE).getFirst().to());
        net.stabilize();
        for (long id = 1; id <= 3; id++) {
            assertArrayEquals(bytes("via-follower"), net.appliedData(id).getLast());
        }
    }

    @Test
    void aBatchOfSlicesIsLoggedAsThoseSlicesAndAppliedEverywhereAsTheirBytes() {
        final TestNet net = TestNet.of(3);
        net.elect(1);
        final byte[] shared = bytes("..one..two..");
        final Payloads batch = new Payloads(1); // grows past its first slot
        batch.add(shared, 2, 3);
        batch.add(shared, 7, 3);
        net.node(1).proposeBatch(batch);
        batch.clear(); // the host's batch: Raft keeps the slices, not the batch
        net.stabilize();
        final MemoryLogStorage log = net.storages.get(1L);
        final List<Entry> proposed = log.entries(log.lastIndex() - 1, log.lastIndex() + 1, Long.MAX_VALUE);
        assertSame(shared, proposed.get(0).buffer(), "no copy at the leader: the host's array");
        assertEquals(7, proposed.get(1).offset());
        assertEquals(3, proposed.get(1).length());
        for (long id = 1; id <= 3; id++) {
            final List<byte[]> applied = net.appliedData(id);
            assertArrayEquals(bytes("one"), applied.get(applied.size() - 2), "node " + id);
            assertArrayEquals(bytes("two"), applied.getLast(), "node " + id);
        }
    }

    @Test
    void withoutForwardingFollowerNamesTheLeader() {
        final TestNet net = TestNet.of(3, id -> RaftConfig.defaults(id).withForwardProposals(false));
        net.elect(2);
        final NotLeaderException e = assertThrows(NotLeaderException.class, () -> net.node(3).propose(bytes("x")));
        assertEquals(2, e.leaderId());
    }

    @Test
    void withoutLeaderProposalIsRefused() {
        final TestNet net = TestNet.of(3);
        final NotLeaderException e = assertThrows(NotLeaderException.class, () -> net.node(1).propose(bytes("x")));
        assertEquals(0, e.leaderId());
    }

    @Test
    void inflightWindowBoundsUnacknowledgedAppends() {
        final int window = 3;
        final TestNet net = TestNet.of(3, id -> RaftConfig.defaults(id).withElection(false, false)
            .withFlowControl(100, window));
        net.elect(1);
        for (int i = 0; i < 50; i++) {
            net.node(1).propose(new byte[90]);
        }
        net.processReadies();
        final List<Message> toNode2 = net.pendingOf(MessageType.APPEND).stream().filter(m -> m.to() == 2).toList();
        assertEquals(window, toNode2.size(), "stops at the window until acknowledgements return");
        for (final Message m : toNode2) {
            assertTrue(m.entriesBytes() <= 100 || m.entries().size() == 1, "max bytes per APPEND");
        }
        net.stabilize();
        assertEquals(net.node(1).lastIndex(), net.node(2).lastIndex(), "the rest follows as acks free the window");
    }

    @Test
    void batchedProposalsGoOutInOneAppendPerFollower() {
        final TestNet net = TestNet.of(3);
        net.elect(1);
        final List<byte[]> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batch.add(new byte[100]);
        }
        net.node(1).proposeBatch(batch);
        net.processReadies();
        final List<Message> appends = net.pendingOf(MessageType.APPEND);
        assertEquals(2, appends.size());
        assertEquals(100, appends.getFirst().entries().size());
    }

    @Test
    void uncommittedBytesAreBounded() {
        final TestNet net = TestNet.of(3, id -> new RaftConfig(id, 10, 1, 0, 1 << 20, 256, 0, 1000, 1 << 20, 16,
            false, false, ReadOnlyOption.SAFE, true));
        net.elect(1);
        net.isolate(1);
        net.node(1).propose(new byte[600]);
        assertThrows(RequestDroppedException.class, () -> net.node(1).propose(new byte[600]));
    }

    @Test
    void readyMustBeAdvancedBeforeTheNext() {
        final TestNet net = TestNet.of(1);
        net.elect(1);
        net.node(1).propose(bytes("x"));
        final Ready ready = net.node(1).ready();
        assertThrows(IllegalStateException.class, () -> net.node(1).ready());
        net.node(1).advance(ready);
        assertThrows(IllegalStateException.class, () -> net.node(1).advance(ready));
    }

    /**
     * One Ready object and its two entry lists are refilled each time and emptied at advance (issue #21): a host
     * copies what it keeps. The hard state comes as three numbers.
     */
    @Test
    void theReadyAndItsEntryListsAreRefilledAndEmptiedAtAdvance() {
        final TestNet net = TestNet.of(1);
        net.elect(1);
        final RaftNode node = net.node(1);
        node.propose(bytes("a"));
        final Ready appended = node.ready();
        final List<Entry> appendedEntries = appended.entries();
        assertArrayEquals(bytes("a"), appendedEntries.getLast().data());
        net.storages.get(1L).append(appendedEntries);
        node.advance(appended);
        assertNull(appended.entries(), "a Ready is read until advance, not after");
        assertTrue(appendedEntries.isEmpty(), "its entry list is emptied at advance");

        final Ready committed = node.ready();
        assertSame(appended, committed);
        assertTrue(committed.hasHardState(), "the commit index moved");
        assertEquals(node.term(), committed.hardStateTerm());
        assertEquals(1L, committed.hardStateVote());
        assertEquals(committed.committedEntries().getLast().index(), committed.hardStateCommit());
        assertEquals(new HardState(node.term(), 1L, committed.hardStateCommit()), committed.hardState());
        final List<Entry> committedEntries = committed.committedEntries();
        assertArrayEquals(bytes("a"), committedEntries.getLast().data());
        node.advance(committed);
        assertTrue(committedEntries.isEmpty(), "its committed list is emptied at advance");

        node.propose(bytes("b"));
        final Ready next = node.ready();
        assertSame(appendedEntries, next.entries(), "the same list, refilled");
        assertEquals(1, next.entries().size());
        assertArrayEquals(bytes("b"), next.entries().getLast().data());
        assertFalse(next.hasHardState(), "nothing changed but the tail");
        assertNull(next.hardState());
        node.advance(next);
    }
}
