package io.cairn.transport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.raft.Entry;
import io.cairn.raft.EntryType;
import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The send path (tryClaim and offer) allocates nothing: the Raft loop's garbage is its own. */
class SendAllocationTest {
    private static final int SENDS = 2_000;

    @Test
    void sendingSmallAndLargeMessagesAllocatesNothing() {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        try (TestNodes nodes = TestNodes.start(2)) {
            nodes.awaitConnected();
            final Message heartbeat = new Message(MessageType.HEARTBEAT, 1, 2, 3, 3, 10, List.of(), 9, false, 0,
                null, 77);
            final Message append = new Message(MessageType.APPEND, 1, 2, 3, 3, 10, List.of(
                new Entry(3, 11, EntryType.NORMAL, new byte[4096])), 9, false, 0, null, 0);
            for (final Message m : List.of(heartbeat, append)) {
                nodes.pollUntil("first sends taken", () -> nodes.node(1).send(m)); // buffers reach their size
                for (int i = 0; i < SENDS; i++) {
                    nodes.node(1).send(m); // first passes through every outcome link their call sites once
                }
                nodes.pollUntil("receiver drained", () -> {
                    nodes.inbox(2).messages.clear();
                    return nodes.pollAll() == 0;
                });
                nodes.pollUntil("window open again", () -> nodes.node(1).send(m));
                final long thread = Thread.currentThread().threadId();
                final long before = threads.getThreadAllocatedBytes(thread);
                int sent = 0;
                for (int i = 0; i < SENDS; i++) {
                    if (nodes.node(1).send(m)) {
                        sent++;
                    }
                }
                final long allocated = threads.getThreadAllocatedBytes(thread) - before;
                assertTrue(sent > 0, "some sends must have gone through");
                // The smallest object is 16 bytes, so anything allocated per send would show as >= 16 * SENDS.
                // A few hundred bytes once (the JVM's own bookkeeping when the counter read first runs) are not
                // the send path's.
                assertTrue(allocated < SENDS, m.type() + ": " + allocated + " bytes allocated by " + SENDS + " sends");
                nodes.pollUntil("receiver drained", () -> {
                    nodes.inbox(2).messages.clear();
                    return nodes.pollAll() == 0;
                });
            }
        }
    }
}
