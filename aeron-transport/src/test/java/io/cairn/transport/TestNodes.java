package io.cairn.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/** Transports in this JVM on loopback, each with its own driver directory, driven from the test thread. */
final class TestNodes implements AutoCloseable {
    static final long CLUSTER_ID = 0xC0FFEEL;
    private static final AtomicInteger INSTANCE = new AtomicInteger();
    private static final long DEADLINE_NS = 60_000_000_000L;

    final List<AeronTransport> transports = new ArrayList<>();
    final List<Inbox> inboxes = new ArrayList<>();
    /** Per node, its TLS settings (null: plaintext), to launch it again the same way. */
    final List<PeerTls> tls = new ArrayList<>();

    /** Collects what a transport delivers; bounded only by the test's own sends. */
    static final class Inbox implements InboundHandler {
        final List<Message> messages = new ArrayList<>();
        final List<String> snapshotStatuses = new ArrayList<>();

        @Override
        public void onMessage(final Message message) {
            messages.add(message);
        }

        @Override
        public void onSnapshotStatus(final long peerId, final long snapshotIndex, final boolean delivered) {
            snapshotStatuses.add(peerId + ":" + snapshotIndex + ":" + delivered);
        }
    }

    /** Ports are picked in 12000..19999 (the engine's in-JVM clusters take 20000..31999). */
    private static final int LOW_PORT_MIN = 12_000;
    private static final int LOW_PORT_COUNT = 8_000;
    /**
     * Every port handed out in this JVM: a port is free when picked, but its socket closes at once, so
     * two picks for one test's nodes could return the same one (a second transport then failed to
     * bind: "Address already in use", in a CI run of FaultInjectionTest).
     */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /**
     * A UDP port free now, below Linux's ephemeral range (32768 and up): a port the kernel hands out
     * as ephemeral can be handed out again to a publication's own socket before the transport meant
     * to listen on it binds it ("Address already in use": seen in the engine's cluster tests).
     */
    static int freeUdpPort() {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            final int port = LOW_PORT_MIN + ThreadLocalRandom.current().nextInt(LOW_PORT_COUNT);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
                return socket.getLocalPort();
            } catch (final SocketException taken) {
                // in use: try another
            }
        }
        throw new UncheckedIOException(new IOException("no free UDP port in " + LOW_PORT_MIN + ".."
            + (LOW_PORT_MIN + LOW_PORT_COUNT - 1)));
    }

    static TransportConfig config(final long clusterId, final long memberId, final int port) {
        return config(clusterId, memberId, new PeerUrl("127.0.0.1", port));
    }

    /** Listening on an https:// peer URL when {@code secure}. */
    static TransportConfig config(final long clusterId, final long memberId, final PeerUrl listenUrl) {
        final TransportConfig defaults = TransportConfig.defaults(clusterId, memberId, listenUrl);
        return defaults.withAeronDir(Path.of(defaults.aeronDir() + "-test-" + ProcessHandle.current().pid() + "-"
            + INSTANCE.incrementAndGet()));
    }

    /** Node i (0-based) has member id i + 1. */
    TestNodes start(final List<TransportConfig> configs, final List<FaultPlan> messageFaults,
                    final List<FaultPlan> snapshotFaults) {
        for (int i = 0; i < configs.size(); i++) {
            transports.add(AeronTransport.launch(configs.get(i), messageFaults == null ? null : messageFaults.get(i),
                snapshotFaults == null ? null : snapshotFaults.get(i)));
            inboxes.add(new Inbox());
            tls.add(null);
        }
        connectAll();
        return this;
    }

    /** Node i (0-based) has member id i + 1 and the TLS settings {@code tlsPerNode.get(i)} (null: plaintext). */
    static TestNodes startTls(final List<PeerTls> tlsPerNode) {
        final TestNodes nodes = new TestNodes();
        for (int i = 0; i < tlsPerNode.size(); i++) {
            final PeerUrl url = new PeerUrl("127.0.0.1", freeUdpPort(), tlsPerNode.get(i) != null);
            nodes.transports.add(AeronTransport.launch(config(CLUSTER_ID, i + 1, url),
                new InMemorySnapshotStore(Integer.MAX_VALUE - 64), tlsPerNode.get(i)));
            nodes.inboxes.add(new Inbox());
            nodes.tls.add(tlsPerNode.get(i));
        }
        nodes.connectAll();
        return nodes;
    }

    /** Closes node {@code memberId} and launches it again with the same configuration: a restarted process. */
    AeronTransport restart(final long memberId) {
        final TransportConfig config = node(memberId).config();
        node(memberId).close();
        final AeronTransport restarted = AeronTransport.launch(config,
            new InMemorySnapshotStore(config.snapshot().bytesMax()), tls.get((int) memberId - 1));
        for (final AeronTransport other : transports) {
            if (other.config().memberId() != memberId) {
                restarted.addPeer(other.config().memberId(), other.config().listenUrl());
            }
        }
        replace(memberId, restarted);
        return restarted;
    }

    /** Makes every transport a peer of every other. */
    void connectAll() {
        for (final AeronTransport a : transports) {
            for (final AeronTransport b : transports) {
                if (a != b) {
                    a.addPeer(b.config().memberId(), b.config().listenUrl());
                }
            }
        }
    }

    static TestNodes start(final int count) {
        final List<TransportConfig> configs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            configs.add(config(CLUSTER_ID, i + 1, freeUdpPort()));
        }
        return new TestNodes().start(configs, null, null);
    }

    AeronTransport node(final long memberId) {
        return transports.get((int) memberId - 1);
    }

    Inbox inbox(final long memberId) {
        return inboxes.get((int) memberId - 1);
    }

    void replace(final long memberId, final AeronTransport transport) {
        transports.set((int) memberId - 1, transport);
        inboxes.set((int) memberId - 1, new Inbox());
    }

    int pollAll() {
        int work = 0;
        for (int i = 0; i < transports.size(); i++) {
            work += transports.get(i).poll(inboxes.get(i));
        }
        return work;
    }

    /** Polls every node until the condition holds; fails after the deadline. Yields when idle (tests share 2 cores). */
    void pollUntil(final String what, final BooleanSupplier condition) {
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for " + what);
            }
            if (pollAll() == 0) {
                Thread.onSpinWait();
                Thread.yield();
            }
        }
    }

    /**
     * Every sample message of every type, sent between every pair of three nodes; waits until all are
     * delivered and checks each arrived intact and that every message type was sent. Returns how many
     * each node received.
     */
    int exchangeEveryMessageType() {
        final List<Message> expected = new ArrayList<>();
        for (long from = 1; from <= 3; from++) {
            for (long to = 1; to <= 3; to++) {
                if (from != to) {
                    for (final Message m : SampleMessages.all(from, to)) {
                        assertTrue(node(from).send(m), () -> "send " + m);
                        expected.add(m);
                    }
                }
            }
        }
        final int perNode = expected.size() / 3;
        pollUntil("every message delivered", () -> inbox(1).messages.size() == perNode
            && inbox(2).messages.size() == perNode && inbox(3).messages.size() == perNode);
        final EnumSet<MessageType> typesSeen = EnumSet.noneOf(MessageType.class);
        for (final Message sent : expected) {
            final List<Message> received = inbox(sent.to()).messages;
            assertTrue(received.stream().anyMatch(r -> SampleMessages.same(sent, r)), () -> "not received: " + sent);
            typesSeen.add(sent.type());
        }
        assertEquals(EnumSet.allOf(MessageType.class), typesSeen);
        return perNode;
    }

    void awaitConnected() {
        pollUntil("all peers connected", () -> {
            for (final AeronTransport a : transports) {
                for (final AeronTransport b : transports) {
                    if (a != b && !a.isConnected(b.config().memberId())) {
                        return false;
                    }
                }
            }
            return true;
        });
    }

    @Override
    public void close() {
        for (final AeronTransport transport : transports) {
            transport.close();
        }
    }
}
