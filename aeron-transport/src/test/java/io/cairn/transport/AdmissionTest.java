package io.cairn.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Datagrams and frames from outside the cluster are dropped and counted; the members keep talking. */
class AdmissionTest {
    private static final int GARBAGE_DATAGRAMS = 200;

    private static Message heartbeat(final long from, final long to) {
        return new Message(MessageType.HEARTBEAT, from, to, 1, 1, 1, List.of(), 1, false, 0, null, 7);
    }

    @Test
    void garbageDatagramsOnThePortAreDroppedByTheDriverAndCounted() throws IOException {
        try (TestNodes nodes = TestNodes.start(2); DatagramSocket socket = new DatagramSocket()) {
            nodes.awaitConnected();
            final long invalidBefore = nodes.node(1).driver().invalidPackets();
            final Random random = new Random(9);
            final PeerUrl target = nodes.node(1).config().listenUrl();
            for (int i = 1; i <= GARBAGE_DATAGRAMS; i++) {
                final byte[] garbage = SampleMessages.bytes(random, 8 + random.nextInt(1400));
                garbage[4] = (byte) (1 + random.nextInt(255)); // not Aeron's frame version 0
                socket.send(new DatagramPacket(garbage, garbage.length, InetAddress.getByName(target.host()),
                    target.port()));
                // One at a time: a burst could overflow the socket's receive buffer, and the kernel, not the
                // driver, would drop (and not count) the rest.
                final long sent = i;
                nodes.pollUntil("driver counted garbage datagram " + i,
                    () -> nodes.node(1).driver().invalidPackets() - invalidBefore == sent);
            }
            assertTrue(nodes.node(2).send(heartbeat(2, 1)));
            nodes.pollUntil("members still talk", () -> nodes.inbox(1).messages.size() == 1);
            assertEquals(0, nodes.node(1).counters().framesRejected());
        }
    }

    @Test
    void foreignClusterUnknownMemberMisaddressedAndMalformedFramesAreDroppedAndCounted() {
        try (TestNodes nodes = TestNodes.start(2)) {
            final long otherCluster = TestNodes.CLUSTER_ID + 1;
            final PeerUrl node1 = nodes.node(1).config().listenUrl();
            try (AeronTransport foreign = AeronTransport.launch(TestNodes.config(otherCluster, 2, TestNodes.freeUdpPort()));
                 AeronTransport stranger = AeronTransport.launch(
                     TestNodes.config(TestNodes.CLUSTER_ID, 9, TestNodes.freeUdpPort()))) {
                foreign.addPeer(1, node1);
                stranger.addPeer(1, node1);
                nodes.pollUntil("outsiders connected", () -> {
                    foreign.poll(new TestNodes.Inbox());
                    stranger.poll(new TestNodes.Inbox());
                    return foreign.isConnected(1) && stranger.isConnected(1);
                });
                assertTrue(foreign.send(heartbeat(2, 1)), "same member id as a real member, other cluster");
                assertTrue(stranger.send(heartbeat(9, 1)), "right cluster, not a member");

                try (Aeron raw = Aeron.connect(new Aeron.Context().aeronDirectoryName(stranger.config().aeronDir()
                    .toString()))) {
                    final ExclusivePublication messages = raw.addExclusivePublication(
                        "aeron:udp?endpoint=" + node1.udpEndpoint(), AeronTransport.MESSAGE_STREAM_ID);
                    final ExclusivePublication snapshots = raw.addExclusivePublication(
                        "aeron:udp?endpoint=" + node1.udpEndpoint(), AeronTransport.SNAPSHOT_STREAM_ID);
                    nodes.pollUntil("raw publications connected", () -> {
                        stranger.poll(new TestNodes.Inbox());
                        return messages.isConnected() && snapshots.isConnected();
                    });
                    final Random random = new Random(11);
                    final UnsafeBuffer garbage = new UnsafeBuffer(SampleMessages.bytes(random, 3000));
                    offer(nodes, messages, garbage, 3000);        // random bytes: malformed
                    offer(nodes, messages, garbage, 5);           // shorter than any header: malformed
                    offer(nodes, snapshots, garbage, 2000);       // random bytes on the snapshot stream: malformed
                    final UnsafeBuffer misaddressed = new UnsafeBuffer(new byte[256]);
                    final Message toOther = heartbeat(2, 5);
                    new RaftMessageEncoder(TestNodes.CLUSTER_ID).encode(toOther, misaddressed, 0);
                    offer(nodes, messages, misaddressed, RaftMessageEncoder.encodedLength(toOther));
                    final UnsafeBuffer badTemplate = new UnsafeBuffer(new byte[256]);
                    new RaftMessageEncoder(TestNodes.CLUSTER_ID).encode(heartbeat(2, 1), badTemplate, 0);
                    badTemplate.putShort(2, (short) 999);        // a template id no schema version has
                    offer(nodes, messages, badTemplate, RaftMessageEncoder.encodedLength(heartbeat(2, 1)));
                }
                final TransportCounters counters = nodes.node(1).counters();
                nodes.pollUntil("every outsider frame counted", () -> counters.framesRejected() == 7);
                assertEquals(1, counters.framesForeignCluster.get());
                assertEquals(1, counters.framesUnknownSender.get());
                assertEquals(1, counters.framesMisaddressed.get());
                assertEquals(4, counters.framesMalformed.get());
            }
            assertTrue(nodes.inbox(1).messages.isEmpty(), "nothing from outside reached Raft");
            nodes.awaitConnected();
            assertTrue(nodes.node(2).send(heartbeat(2, 1)));
            nodes.pollUntil("member still heard", () -> nodes.inbox(1).messages.size() == 1);
            assertEquals(2, nodes.inbox(1).messages.get(0).from());
        }
    }

    private static void offer(final TestNodes nodes, final ExclusivePublication publication, final UnsafeBuffer buffer,
                              final int length) {
        nodes.pollUntil("raw frame offered", () -> publication.offer(buffer, 0, length) > 0);
    }
}
