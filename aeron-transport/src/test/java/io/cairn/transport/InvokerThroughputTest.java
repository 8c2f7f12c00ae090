package io.cairn.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aeron.driver.ThreadingMode;
import io.cairn.raft.Entry;
import io.cairn.raft.EntryType;
import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With the media driver run inside the owner's poll (INVOKER, as members run it), a large APPEND
 * must cross in a few polls on each side, not one MTU per poll: a poll runs the driver until it
 * finds nothing to do (bounded). Counted in polls, not time.
 */
class InvokerThroughputTest {
    private static final int APPEND_BYTES = 256 << 10;
    /** A 256 KiB append is ~190 datagrams: one driver cycle per poll needed at least that many rounds. */
    private static final int ROUNDS_MAX = 40;

    @Test
    void aQuarterMebibyteAppendCrossesInAFewPolls() {
        final TransportConfig sender = TestNodes.config(TestNodes.CLUSTER_ID, 1, TestNodes.freeUdpPort())
            .withDriver(ThreadingMode.INVOKER, "noop");
        final TransportConfig receiver = TestNodes.config(TestNodes.CLUSTER_ID, 2, TestNodes.freeUdpPort())
            .withDriver(ThreadingMode.INVOKER, "noop");
        try (TestNodes nodes = new TestNodes().start(List.of(sender, receiver), null, null)) {
            nodes.awaitConnected();
            final Message append = new Message(MessageType.APPEND, 1, 2, 1, 1, 1, List.of(
                new Entry(1, 2, EntryType.NORMAL, new byte[APPEND_BYTES])), 1, false, 0, null, 0);
            assertTrue(nodes.node(1).send(append));
            int rounds = 0;
            while (nodes.inbox(2).messages.isEmpty() && rounds < 10 * ROUNDS_MAX) {
                nodes.node(1).poll(nodes.inbox(1));
                nodes.node(2).poll(nodes.inbox(2));
                rounds++;
            }
            System.out.println("a " + APPEND_BYTES + "-byte append crossed in " + rounds + " poll rounds");
            assertEquals(1, nodes.inbox(2).messages.size(), "delivered");
            assertTrue(rounds <= ROUNDS_MAX, "delivered in " + rounds + " poll rounds; at most " + ROUNDS_MAX);
        }
    }
}
