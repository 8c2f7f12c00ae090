package io.cairn.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.raft.Entry;
import io.cairn.raft.EntryType;
import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackPressureTest {
    private static final int ATTEMPTS = 20_000;

    /**
     * A receiver that does not poll fills the sender's small publication window: sends must then fail at once and
     * be counted (never wait), and whatever was accepted arrives intact and in order once the receiver polls.
     */
    @Test
    void fullPublicationDropsAndCountsWithoutStalling() {
        final TransportConfig sender = TestNodes.config(TestNodes.CLUSTER_ID, 1, TestNodes.freeUdpPort())
            .withMessageTermBytes(64 * 1024);
        final TransportConfig receiver = TestNodes.config(TestNodes.CLUSTER_ID, 2, TestNodes.freeUdpPort());
        try (TestNodes nodes = new TestNodes().start(List.of(sender, receiver), null, null)) {
            nodes.awaitConnected();
            final byte[] payload = new byte[900];
            int accepted = 0;
            for (int i = 1; i <= ATTEMPTS; i++) {
                final Message append = new Message(MessageType.APPEND, 1, 2, 1, 1, i, List.of(
                    new Entry(1, i + 1, EntryType.NORMAL, payload)), i, false, 0, null, 0);
                if (nodes.node(1).send(append)) {
                    accepted++;
                }
                nodes.node(1).poll(nodes.inbox(1)); // only the sender polls
            }
            final TransportCounters counters = nodes.node(1).counters();
            assertTrue(counters.sendBackPressured.get() > 0, "the receiver's window must have filled");
            assertEquals(ATTEMPTS, accepted + counters.sendBackPressured.get() + counters.sendNotConnected.get()
                + counters.sendFailedOther.get(), "every refused send is counted once");
            final int expected = accepted;
            nodes.pollUntil("accepted appends delivered", () -> nodes.inbox(2).messages.size() == expected);
            long previous = 0;
            for (final Message m : nodes.inbox(2).messages) {
                assertTrue(m.index() > previous, "in order");
                assertEquals(900, m.entries().get(0).data().length);
                previous = m.index();
            }
        }
    }

    /**
     * A message that does not fit the rest of the publication's term makes Aeron rotate to the next term and refuse
     * that one attempt (ADMIN_ACTION). The send must write it to the new term, not drop it: Raft never resends a
     * forwarded proposal, so a drop here failed clients' writes by time-out under load. With a 64 KiB term, about
     * 1 KiB messages rotate it every 60 or so; the receiver keeps up, so nothing else can refuse a send.
     */
    @Test
    void aSendThatRotatesTheTermIsWrittenToTheNextTerm() {
        final TransportConfig sender = TestNodes.config(TestNodes.CLUSTER_ID, 1, TestNodes.freeUdpPort())
            .withMessageTermBytes(64 * 1024);
        final TransportConfig receiver = TestNodes.config(TestNodes.CLUSTER_ID, 2, TestNodes.freeUdpPort());
        final int messages = 1_000;
        try (TestNodes nodes = new TestNodes().start(List.of(sender, receiver), null, null)) {
            nodes.awaitConnected();
            for (int i = 1; i <= messages; i++) {
                final byte[] payload = new byte[900];
                java.nio.ByteBuffer.wrap(payload).putInt(i);
                final Message propose = new Message(MessageType.PROPOSE, 1, 2, 0, 0, 0, List.of(
                    new Entry(0, 0, EntryType.NORMAL, payload)), 0, false, 0, null, 0);
                assertTrue(nodes.node(1).send(propose), "message " + i + " was dropped; counters: "
                    + nodes.node(1).counters().sendFailedOther.get() + " refused as unusable");
                final int sent = i;
                nodes.pollUntil("message " + i + " delivered", () -> nodes.inbox(2).messages.size() == sent);
            }
            assertEquals(0, nodes.node(1).counters().sendFailedOther.get());
            for (int i = 0; i < messages; i++) {
                final byte[] received = nodes.inbox(2).messages.get(i).entries().get(0).data();
                assertEquals(i + 1, java.nio.ByteBuffer.wrap(received).getInt(), "in order, none lost");
            }
        }
    }

    @Test
    void messageLargerThanThePublicationAllowsIsRefusedAndCounted() {
        final TransportConfig small = TestNodes.config(TestNodes.CLUSTER_ID, 1, TestNodes.freeUdpPort())
            .withMessageTermBytes(64 * 1024);
        final TransportConfig other = TestNodes.config(TestNodes.CLUSTER_ID, 2, TestNodes.freeUdpPort());
        try (TestNodes nodes = new TestNodes().start(List.of(small, other), null, null)) {
            nodes.awaitConnected();
            final Message big = new Message(MessageType.APPEND, 1, 2, 1, 1, 1, List.of(
                new Entry(1, 2, EntryType.NORMAL, new byte[64 * 1024])), 1, false, 0, null, 0);
            assertTrue(!nodes.node(1).send(big));
            assertEquals(1, nodes.node(1).counters().sendTooLarge.get());
            final Message fits = new Message(MessageType.APPEND, 1, 2, 1, 1, 1, List.of(
                new Entry(1, 2, EntryType.NORMAL, new byte[6 * 1024])), 1, false, 0, null, 0);
            assertTrue(nodes.node(1).send(fits), "above one MTU, below the limit: offered");
            nodes.pollUntil("large message delivered", () -> nodes.inbox(2).messages.size() == 1);
            assertEquals(fits, nodes.inbox(2).messages.get(0));
        }
    }
}
