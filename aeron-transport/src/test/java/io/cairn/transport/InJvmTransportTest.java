package io.cairn.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class InJvmTransportTest {
    @Test
    void threeTransportsExchangeEveryMessageType() {
        try (TestNodes nodes = TestNodes.start(3)) {
            nodes.awaitConnected();
            final int perNode = nodes.exchangeEveryMessageType();
            nodes.pollUntil("snapshot delivery reported", () -> nodes.inbox(1).snapshotStatuses.size() == 2);
            assertTrue(nodes.inbox(1).snapshotStatuses.contains("2:100:true"), nodes.inbox(1).snapshotStatuses::toString);
            for (final AeronTransport t : nodes.transports) {
                assertEquals(0, t.counters().framesRejected(), "nothing legitimate may be rejected");
                assertEquals(perNode, t.counters().messagesReceived.get() + t.counters().snapshotsReceived.get());
            }
        }
    }

    @Test
    void sendToUnknownOrAbsentPeerReturnsAtOnceAndCounts() {
        final TransportConfig config = TestNodes.config(TestNodes.CLUSTER_ID, 1, TestNodes.freeUdpPort());
        try (AeronTransport transport = AeronTransport.launch(config)) {
            final Message heartbeat = SampleMessages.all(1, 2).get(MessageType.HEARTBEAT.ordinal());
            assertFalse(transport.send(heartbeat), "peer 2 is not known");
            assertEquals(1, transport.counters().sendUnknownPeer.get());
            transport.addPeer(2, new PeerUrl("127.0.0.1", TestNodes.freeUdpPort()));
            assertFalse(transport.send(heartbeat), "nobody listens at peer 2's port");
            assertEquals(1, transport.counters().sendNotConnected.get());
        }
    }

    @Test
    void driverDirectoryIsCleanedOnStartAndOnClose() throws Exception {
        final TransportConfig config = TestNodes.config(TestNodes.CLUSTER_ID, 1, TestNodes.freeUdpPort());
        final Path dir = config.aeronDir();
        Files.createDirectories(dir);
        final Path leftover = Files.writeString(dir.resolve("left-by-a-killed-process"), "stale");
        try (AeronTransport transport = AeronTransport.launch(config)) {
            assertFalse(Files.exists(leftover), "start must clear what a killed process left");
            assertTrue(Files.exists(dir.resolve("cnc.dat")), "driver running in " + dir);
            assertTrue(transport.driver().dir().startsWith("/dev/shm") || !Files.isDirectory(Path.of("/dev/shm")));
        }
        assertFalse(Files.exists(dir), "close must delete " + dir);
    }

    @Test
    void removedPeerIsNoLongerHeardAndReAddedPeerIs() {
        try (TestNodes nodes = TestNodes.start(2)) {
            nodes.awaitConnected();
            final Message heartbeat = SampleMessages.all(2, 1).get(MessageType.HEARTBEAT.ordinal());
            nodes.node(1).removePeer(2);
            assertTrue(nodes.node(2).send(heartbeat));
            nodes.pollUntil("frame from removed member dropped",
                () -> nodes.node(1).counters().framesUnknownSender.get() == 1);
            assertTrue(nodes.inbox(1).messages.isEmpty());
            nodes.node(1).addPeer(2, nodes.node(2).config().listenUrl());
            assertTrue(nodes.node(2).send(heartbeat));
            nodes.pollUntil("frame from re-added member delivered", () -> nodes.inbox(1).messages.size() == 1);
            assertTrue(SampleMessages.same(heartbeat, nodes.inbox(1).messages.get(0)));
        }
    }

    @Test
    void restartedPeerIsReachedAgainWithoutReconfiguring() {
        try (TestNodes nodes = TestNodes.start(2)) {
            nodes.awaitConnected();
            final TransportConfig config2 = nodes.node(2).config();
            nodes.node(2).close();
            final AeronTransport restarted = AeronTransport.launch(config2);
            restarted.addPeer(1, nodes.node(1).config().listenUrl());
            nodes.replace(2, restarted);
            final Message heartbeat = SampleMessages.all(1, 2).get(MessageType.HEARTBEAT.ordinal());
            nodes.pollUntil("node 1 reaches the restarted node 2", () -> {
                nodes.node(1).send(heartbeat); // Raft resends heartbeats on every tick; sends fail until reconnected
                return !nodes.inbox(2).messages.isEmpty();
            });
            assertTrue(SampleMessages.same(heartbeat, nodes.inbox(2).messages.get(0)));
            final Message back = SampleMessages.all(2, 1).get(MessageType.APPEND_RESPONSE.ordinal());
            nodes.pollUntil("and hears it", () -> {
                nodes.node(2).send(back);
                return !nodes.inbox(1).messages.isEmpty();
            });
        }
    }
}
