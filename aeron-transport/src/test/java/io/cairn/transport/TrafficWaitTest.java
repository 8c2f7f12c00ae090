package io.cairn.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aeron.driver.ThreadingMode;
import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link AeronTransport#awaitTraffic}: the owner of an INVOKER-mode transport sleeps on the driver's sockets, and
 * a datagram, a {@link AeronTransport#wakeUp} or fragments its last poll left in the log buffers end the sleep.
 * Each wait here is given {@link #WAIT_MS}; ending well before it is what is checked (a wait that ran its course
 * means the wake-up was missed), not how fast.
 */
class TrafficWaitTest {
    private static final long WAIT_MS = 20_000;
    private static final long MISSED_NANOS = TimeUnit.MILLISECONDS.toNanos(WAIT_MS / 2);

    private static TransportConfig invoker(final long memberId) {
        return TestNodes.config(TestNodes.CLUSTER_ID, memberId, TestNodes.freeUdpPort())
            .withDriver(ThreadingMode.INVOKER, "noop");
    }

    private static Message heartbeat(final long from, final long to, final long commit) {
        return new Message(MessageType.HEARTBEAT, from, to, 1, 0, 0, List.of(), commit, false, 0, null, 0);
    }

    /** Polls both until neither has anything left, so that a wait starts from quiet sockets. */
    private static void settle(final TestNodes nodes) {
        for (int quietRounds = 0; quietRounds < 50; ) {
            final int work = nodes.node(1).poll(nodes.inbox(1)) + nodes.node(2).poll(nodes.inbox(2));
            quietRounds = work == 0 ? quietRounds + 1 : 0;
        }
    }

    @Test
    void aDatagramFromAPeerEndsTheWait() throws Exception {
        try (TestNodes nodes = new TestNodes().start(List.of(invoker(1), invoker(2)), null, null)) {
            nodes.awaitConnected();
            settle(nodes);
            assertTrue(nodes.node(2).awaitTraffic(1)); // the driver's sockets join the wait at its first one
            assertTrue(nodes.node(2).socketsWatched() >= 2, "the receiving socket and the one sending to the peer: "
                + nodes.node(2).socketsWatched());
            // Node 1's owner is another thread from here on: it sends once node 2 is (very likely) asleep.
            final CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                sleepMillis(200);
                assertTrue(nodes.node(1).send(heartbeat(1, 2, 7)));
                nodes.node(1).flush();
            });
            final long waitedNanos = timedWait(nodes.node(2));
            sent.get(30, TimeUnit.SECONDS);
            assertTrue(waitedNanos < MISSED_NANOS, "the wait ran " + waitedNanos / 1_000_000
                + " ms: the datagram did not end it");
            nodes.pollUntil("the heartbeat delivered", () -> !nodes.inbox(2).messages.isEmpty());
            assertEquals(7, nodes.inbox(2).messages.getFirst().commit());
        }
    }

    @Test
    void aWakeUpEndsTheWaitAndOneBeforeItEndsTheNextAtOnce() throws Exception {
        try (TestNodes nodes = new TestNodes().start(List.of(invoker(1), invoker(2)), null, null)) {
            nodes.awaitConnected();
            settle(nodes);
            final CompletableFuture<Void> woken = CompletableFuture.runAsync(() -> {
                sleepMillis(200);
                nodes.node(2).wakeUp();
            });
            long waitedNanos = timedWait(nodes.node(2));
            woken.get(30, TimeUnit.SECONDS);
            assertTrue(waitedNanos < MISSED_NANOS, "the wait ran " + waitedNanos / 1_000_000 + " ms: wakeUp did not"
                + " end it");

            nodes.node(2).wakeUp();
            waitedNanos = timedWait(nodes.node(2));
            assertTrue(waitedNanos < MISSED_NANOS, "the wait ran " + waitedNanos / 1_000_000 + " ms: the earlier"
                + " wakeUp was lost");
        }
    }

    @Test
    void fragmentsTheLastPollLeftInTheLogBufferEndTheWaitAtOnce() {
        final TransportConfig receiver = invoker(2).withFragmentsPerPoll(1);
        try (TestNodes nodes = new TestNodes().start(List.of(invoker(1), receiver), null, null)) {
            nodes.awaitConnected();
            settle(nodes);
            nodes.inbox(2).messages.clear();
            for (int i = 1; i <= 3; i++) {
                assertTrue(nodes.node(1).send(heartbeat(1, 2, i)));
            }
            nodes.node(1).flush();
            // The driver reads all three datagrams into the log buffer; the poll delivers one fragment of them.
            while (nodes.inbox(2).messages.isEmpty()) {
                nodes.node(1).poll(nodes.inbox(1));
                nodes.node(2).poll(nodes.inbox(2));
            }
            assertEquals(1, nodes.inbox(2).messages.size());
            // Nothing is left in the sockets; the wait must see the fragments waiting in the log buffer.
            final long waitedNanos = timedWait(nodes.node(2));
            assertTrue(waitedNanos < MISSED_NANOS, "the wait ran " + waitedNanos / 1_000_000 + " ms over fragments"
                + " not yet polled");
            nodes.pollUntil("the other two delivered", () -> nodes.inbox(2).messages.size() == 3);
        }
    }

    @Test
    void aDriverWithThreadsOfItsOwnCannotBeWaitedOn() {
        final TransportConfig shared = TestNodes.config(TestNodes.CLUSTER_ID, 1, TestNodes.freeUdpPort());
        assertEquals(ThreadingMode.SHARED, shared.driver().threadingMode());
        try (AeronTransport transport = AeronTransport.launch(shared)) {
            assertFalse(transport.awaitTraffic(WAIT_MS), "no wait: the owner parks instead");
            transport.wakeUp(); // harmless
        }
    }

    /** Waits on {@code transport} for at most {@link #WAIT_MS}; returns how long the wait took. */
    private static long timedWait(final AeronTransport transport) {
        final long started = System.nanoTime();
        assertTrue(transport.awaitTraffic(WAIT_MS));
        return System.nanoTime() - started;
    }

    private static void sleepMillis(final long millis) {
        try {
            Thread.sleep(millis);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
