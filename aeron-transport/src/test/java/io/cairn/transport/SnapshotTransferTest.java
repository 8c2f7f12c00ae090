package io.cairn.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.raft.ConfState;
import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import io.cairn.raft.Snapshot;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

class SnapshotTransferTest {
    private static final long ACK_TIMEOUT_NS = 200_000_000L;

    private static byte[] randomBytes(final int length) {
        final byte[] data = new byte[length];
        ThreadLocalRandom.current().nextBytes(data);
        return data;
    }

    private static Message snapshotMessage(final long index, final byte[] data) {
        return new Message(MessageType.SNAPSHOT, 1, 2, 5, 0, 0, List.of(), 0, false, 0,
            new Snapshot(index, 4, ConfState.ofVoters(1L, 2L, 3L), data), 0);
    }

    private static TransportConfig config(final long memberId, final int port, final int chunkBytes) {
        return TestNodes.config(TestNodes.CLUSTER_ID, memberId, port)
            .withSnapshotFlow(chunkBytes, 8, 4, ACK_TIMEOUT_NS);
    }

    private static void assertDelivered(final TestNodes nodes, final Message sent) {
        nodes.pollUntil("snapshot delivered", () -> !nodes.inbox(2).messages.isEmpty());
        final Message received = nodes.inbox(2).messages.get(0);
        assertEquals(MessageType.SNAPSHOT, received.type());
        assertEquals(sent.snapshot().index(), received.snapshot().index());
        assertEquals(sent.snapshot().confState(), received.snapshot().confState());
        assertArrayEquals(sent.snapshot().data(), received.snapshot().data());
        nodes.pollUntil("sender told of delivery", () -> nodes.inbox(1).snapshotStatuses.size() == 1);
        assertEquals("2:" + sent.snapshot().index() + ":true", nodes.inbox(1).snapshotStatuses.get(0));
        assertEquals(1, nodes.inbox(2).messages.size(), "delivered exactly once");
    }

    /** 256 MiB with 3% of chunks and 3% of acknowledgements lost, and 1% of chunks damaged. */
    @Test
    void largeSnapshotSurvivesLostAndDamagedChunks() {
        final FaultPlan senderSide = new FaultPlan(5).drop(0.03);
        final FaultPlan receiverSide = new FaultPlan(6).drop(0.03).corrupt(0.01);
        final List<TransportConfig> configs = List.of(config(1, TestNodes.freeUdpPort(), 1 << 20),
            config(2, TestNodes.freeUdpPort(), 1 << 20));
        try (TestNodes nodes = new TestNodes().start(configs, null, List.of(senderSide, receiverSide))) {
            nodes.awaitConnected();
            final Message sent = snapshotMessage(1000, randomBytes(256 << 20));
            assertTrue(nodes.node(1).send(sent));
            assertDelivered(nodes, sent);
            final TransportCounters sender = nodes.node(1).counters();
            final TransportCounters receiver = nodes.node(2).counters();
            assertEquals(256, sender.snapshotChunksSent.get());
            assertTrue(receiverSide.droppedFrames() > 0 && sender.snapshotChunksResent.get() > 0,
                "lost chunks must have been sent again");
            // A damaged chunk behind a gap is discarded as out of order before its CRC is looked at.
            assertTrue(receiver.snapshotChunksCorrupt.get() <= receiverSide.corruptedFrames());
            assertEquals(256, receiver.snapshotChunksReceived.get(), "each chunk taken once, in order");
            // Go-back-N resends at most a window per loss; a feedback loop of false gaps once resent the snapshot
            // almost six times over. Four times is far above the first and far below the second.
            assertTrue(sender.snapshotChunksResent.get() < 4 * 256, "resent " + sender.snapshotChunksResent.get());
            System.out.printf("256 MiB snapshot: %d chunks resent, %d dropped, %d damaged, %d acks lost%n",
                sender.snapshotChunksResent.get(), receiverSide.droppedFrames(), receiverSide.corruptedFrames(),
                senderSide.droppedFrames());
        }
    }

    /**
     * Both ends say a snapshot is streaming from the first chunk until it is delivered (the Raft loop
     * then keeps polling instead of parking), and neither does before or after.
     */
    @Test
    void bothEndsReportTheStreamWhileItLasts() {
        final List<TransportConfig> configs = List.of(config(1, TestNodes.freeUdpPort(), 64 * 1024),
            config(2, TestNodes.freeUdpPort(), 64 * 1024));
        try (TestNodes nodes = new TestNodes().start(configs, null, null)) {
            nodes.awaitConnected();
            assertFalse(nodes.node(1).isStreamingSnapshot() || nodes.node(2).isStreamingSnapshot(), "before");
            final Message sent = snapshotMessage(1000, randomBytes(4 << 20));
            assertTrue(nodes.node(1).send(sent));
            assertTrue(nodes.node(1).isStreamingSnapshot(), "the sender, once asked to send");
            nodes.pollUntil("the receiver took a chunk", () -> nodes.node(2).counters().snapshotChunksReceived.get() > 0);
            assertTrue(nodes.node(2).isStreamingSnapshot(), "the receiver, between its first chunk and its last");
            assertTrue(nodes.node(1).isStreamingSnapshot(), "the sender, until told of delivery");
            assertDelivered(nodes, sent);
            assertFalse(nodes.node(1).isStreamingSnapshot(), "the sender, after delivery");
            assertFalse(nodes.node(2).isStreamingSnapshot(), "the receiver, after delivery");
        }
    }

    /** Without loss, the first damaged chunk is the next one expected, so its CRC32C must catch it. */
    @Test
    void damagedChunksFailTheirChecksumAndAreSentAgain() {
        final FaultPlan receiverSide = new FaultPlan(8).corrupt(0.1);
        final List<TransportConfig> configs = List.of(config(1, TestNodes.freeUdpPort(), 256 * 1024),
            config(2, TestNodes.freeUdpPort(), 256 * 1024));
        try (TestNodes nodes = new TestNodes().start(configs, null, List.of(new FaultPlan(7), receiverSide))) {
            nodes.awaitConnected();
            final Message sent = snapshotMessage(1500, randomBytes(16 << 20));
            assertTrue(nodes.node(1).send(sent));
            assertDelivered(nodes, sent);
            assertTrue(receiverSide.corruptedFrames() > 0, "seed 8 damages some of the first 64 chunks");
            assertTrue(nodes.node(2).counters().snapshotChunksCorrupt.get() > 0);
            assertTrue(nodes.node(1).counters().snapshotChunksResent.get() > 0);
        }
    }

    @Test
    void receiverRestartMidStreamGetsTheSnapshotFromTheStart() {
        final int receiverPort = TestNodes.freeUdpPort();
        final TransportConfig receiverConfig = config(2, receiverPort, 256 * 1024);
        try (TestNodes nodes = new TestNodes().start(List.of(config(1, TestNodes.freeUdpPort(), 256 * 1024),
            receiverConfig), null, null)) {
            nodes.awaitConnected();
            final Message sent = snapshotMessage(2000, randomBytes(48 << 20));
            assertTrue(nodes.node(1).send(sent));
            nodes.pollUntil("part of the snapshot received",
                () -> nodes.node(2).counters().snapshotChunksReceived.get() >= 20);
            nodes.node(2).close();
            final AeronTransport restarted = AeronTransport.launch(receiverConfig);
            restarted.addPeer(1, nodes.node(1).config().listenUrl());
            nodes.replace(2, restarted);
            assertDelivered(nodes, sent);
            assertTrue(nodes.node(1).counters().snapshotRestarts.get() >= 1, "the sender noticed and restarted");
        }
    }

    @Test
    void snapshotToAnAbsentPeerIsGivenUpAndReported() {
        final TransportConfig config = TestNodes.config(TestNodes.CLUSTER_ID, 1, TestNodes.freeUdpPort())
            .withSnapshotFlow(64 * 1024, 8, 4, 20_000_000L);
        try (TestNodes nodes = new TestNodes().start(List.of(config), null, null)) {
            nodes.node(1).addPeer(2, new PeerUrl("127.0.0.1", TestNodes.freeUdpPort()));
            assertTrue(nodes.node(1).send(snapshotMessage(3000, randomBytes(1 << 20))));
            nodes.pollUntil("given up", () -> !nodes.inbox(1).snapshotStatuses.isEmpty());
            assertEquals("2:3000:false", nodes.inbox(1).snapshotStatuses.get(0));
            assertEquals(1, nodes.node(1).counters().snapshotsFailed.get());
            assertTrue(!nodes.node(1).isSendingSnapshot(2));
        }
    }
}
