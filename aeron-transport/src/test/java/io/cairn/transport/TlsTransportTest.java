package io.cairn.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.cairn.raft.ConfState;
import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import io.cairn.raft.Snapshot;
import io.cairn.transport.TestCertificates.Authority;
import io.cairn.transport.TestCertificates.Identity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Transports on loopback with TLS between them ({@code https://} peer URLs): what flows, what is refused, and that a
 * restarted peer is talked to again. Certificates are made in memory ({@link TestCertificates}).
 */
class TlsTransportTest {
    private static final String ALLOWED_CN = "cairn-peer";
    private static final Authority CA = Authority.create("Cairn test CA");
    private static final Authority FOREIGN_CA = Authority.create("Someone else's CA");

    /** JUL loggers are held weakly: keep ours while its handler listens. */
    private final Logger tlsLogger = Logger.getLogger(TlsLink.class.getName());
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(final LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLog() {
        tlsLogger.addHandler(capture);
    }

    @AfterEach
    void stopCapture() {
        tlsLogger.removeHandler(capture);
    }

    private static PeerTls member(final Identity identity, final Authority trusted, final String allowedCn) {
        return new PeerTls(TestCertificates.context(identity, trusted.certificate()), true, allowedCn);
    }

    private static PeerTls goodMember() {
        return member(CA.issue(ALLOWED_CN), CA, ALLOWED_CN);
    }

    private static Message heartbeat(final long from, final long to) {
        return new Message(MessageType.HEARTBEAT, from, to, 1, 1, 1, List.of(), 1, false, 0, null, 7);
    }

    @Test
    void everyMessageTypeFlowsBothWaysInsideTls() {
        try (TestNodes nodes = TestNodes.startTls(List.of(goodMember(), goodMember(), goodMember()))) {
            nodes.awaitConnected();
            nodes.exchangeEveryMessageType();
            nodes.pollUntil("snapshot delivery reported", () -> nodes.inbox(1).snapshotStatuses.size() == 2);
            for (final AeronTransport t : nodes.transports) {
                assertTrue(t.isTls());
                assertEquals(0, t.counters().framesRejected(), "nothing legitimate may be rejected");
                assertEquals(4, t.counters().tlsHandshakesCompleted.get(), "two peers, two streams each");
                assertEquals(0, t.counters().tlsHandshakesRefused.get() + t.counters().tlsSessionsFailed.get());
            }
            assertTrue(logged.isEmpty(), () -> "nothing to log: " + logged.get(0).getMessage());
        }
    }

    @Test
    void aSnapshotOfManyChunksArrivesIntact() {
        try (TestNodes nodes = TestNodes.startTls(List.of(goodMember(), goodMember()))) {
            nodes.awaitConnected();
            final byte[] data = SampleMessages.bytes(new Random(5), 5 * (1 << 20) + 12_345);
            final Message snapshot = new Message(MessageType.SNAPSHOT, 2, 1, 9, 0, 0, List.of(), 0, false, 0,
                new Snapshot(500, 8, new ConfState(List.of(1L, 2L), List.of(), List.of(), List.of(), false), data), 0);
            assertTrue(nodes.node(2).send(snapshot), "the server end of the pair sends it");
            nodes.pollUntil("snapshot delivered", () -> nodes.inbox(2).snapshotStatuses.contains("1:500:true"));
            final Message received = nodes.inbox(1).messages.get(0);
            assertEquals(MessageType.SNAPSHOT, received.type());
            assertArrayEquals(data, received.snapshot().data());
            assertEquals(6, nodes.node(1).counters().snapshotChunksReceived.get(), "six chunks of 1 MiB at most");
        }
    }

    @ParameterizedTest(name = "member {0} restarts")
    @ValueSource(longs = {1, 2})
    void aRestartedPeerHandshakesAgainAndTrafficResumes(final long restarting) {
        try (TestNodes nodes = TestNodes.startTls(List.of(goodMember(), goodMember()))) {
            nodes.awaitConnected();
            final long survivor = 3 - restarting;
            final TransportCounters counters = nodes.node(survivor).counters();
            final long handshakesBefore = counters.tlsHandshakesCompleted.get();
            nodes.restart(restarting);
            nodes.pollUntil("the survivor reaches the restarted member", () -> {
                nodes.node(survivor).send(heartbeat(survivor, restarting)); // Raft resends on every tick
                return !nodes.inbox(restarting).messages.isEmpty();
            });
            nodes.pollUntil("and hears it", () -> {
                nodes.node(restarting).send(heartbeat(restarting, survivor));
                return !nodes.inbox(survivor).messages.isEmpty();
            });
            nodes.awaitConnected();
            assertEquals(handshakesBefore + 2, counters.tlsHandshakesCompleted.get(), "one new session per stream");
            assertTrue(counters.tlsSessionsRestarted.get() >= 1, "the old sessions ended with the old image");
            assertEquals(0, counters.tlsHandshakesRefused.get());
        }
    }

    /** A member that must not get in, and whether it has the smaller id (the TLS client of each pair). */
    enum Intruder {
        FOREIGN_CA_AS_SERVER("certification path", false),
        /**
         * The JDK's key manager offers only a certificate from a CA the server names in its request, so this client
         * sends none at all, and that is what our server refuses.
         */
        FOREIGN_CA_AS_CLIENT("Empty client certificate chain", true),
        EXPIRED_AS_SERVER("validity check failed", false),
        EXPIRED_AS_CLIENT("validity check failed", true),
        WRONG_CN_AS_SERVER("certificate CN intruder is not the allowed CN " + ALLOWED_CN, false),
        WRONG_CN_AS_CLIENT("certificate CN intruder is not the allowed CN " + ALLOWED_CN, true);

        final String reason;
        final boolean client;

        Intruder(final String reason, final boolean client) {
            this.reason = reason;
            this.client = client;
        }

        PeerTls tls() {
            return switch (this) {
                // It trusts our CA, so it is our side that refuses it, whichever end of the pair it is.
                case FOREIGN_CA_AS_SERVER, FOREIGN_CA_AS_CLIENT -> member(FOREIGN_CA.issue(ALLOWED_CN), CA,
                    ALLOWED_CN);
                case EXPIRED_AS_SERVER, EXPIRED_AS_CLIENT -> member(CA.issueExpired(ALLOWED_CN), CA, ALLOWED_CN);
                case WRONG_CN_AS_SERVER, WRONG_CN_AS_CLIENT -> member(CA.issue("intruder"), CA, ALLOWED_CN);
            };
        }
    }

    @ParameterizedTest
    @EnumSource(Intruder.class)
    void aRefusedPeerIsCountedAndLoggedOnceWhileTheOthersKeepTalking(final Intruder intruder) {
        final long bad = intruder.client ? 1 : 3;
        final long good1 = intruder.client ? 2 : 1;
        final long good2 = intruder.client ? 3 : 2;
        final List<PeerTls> tls = new ArrayList<>(List.of(goodMember(), goodMember(), goodMember()));
        tls.set((int) bad - 1, intruder.tls());
        try (TestNodes nodes = TestNodes.startTls(tls)) {
            nodes.pollUntil("the good pair connected", () -> nodes.node(good1).isConnected(good2)
                && nodes.node(good2).isConnected(good1));
            final long[] heard = new long[2];
            // Each good member keeps retrying the intruder with back-off: wait for several refusals, talking all along.
            nodes.pollUntil("the intruder refused again and again", () -> {
                nodes.node(good1).send(heartbeat(good1, good2));
                nodes.node(good2).send(heartbeat(good2, good1));
                nodes.node(bad).send(heartbeat(bad, good1));
                nodes.node(good1).send(heartbeat(good1, bad));
                heard[0] = nodes.inbox(good2).messages.size();
                heard[1] = nodes.inbox(good1).messages.size();
                return nodes.node(good1).counters().tlsHandshakesRefused.get() >= 2
                    && nodes.node(good2).counters().tlsHandshakesRefused.get() >= 2
                    && heard[0] > 0 && heard[1] > 0;
            });
            assertTrue(heard[0] > 0 && heard[1] > 0, "the good members heard each other");
            for (final long good : new long[] {good1, good2}) {
                assertTrue(nodes.inbox(good).messages.stream().allMatch(m -> m.from() != bad),
                    "nothing from the intruder reached Raft");
                assertFalse(nodes.node(good).isConnected(bad));
                final String prefix = "member " + good + ": TLS with peer " + bad + " ";
                final List<String> lines = logged.stream()
                    .filter(r -> r.getLevel() == Level.WARNING && r.getMessage().startsWith(prefix))
                    .map(LogRecord::getMessage).toList();
                assertEquals(1, lines.size(), () -> "logged once: " + lines);
                assertTrue(lines.get(0).contains(intruder.reason), lines.get(0));
                assertEquals(0, nodes.node(good).counters().framesSenderMismatch.get());
            }
            assertTrue(nodes.inbox(bad).messages.isEmpty(), "and the intruder heard nothing");
            assertTrue(nodes.node(good1).counters().sendNoTlsSession.get() > 0, "sends to it dropped and counted");
        }
    }

    @ParameterizedTest(name = "client-cert-auth {0}")
    @ValueSource(booleans = {true, false})
    void aClientWithoutCertificateGetsInOnlyWithoutClientCertAuth(final boolean clientCertAuth) {
        final PeerTls anonymous = new PeerTls(TestCertificates.context(null, CA.certificate()), clientCertAuth, null);
        final PeerTls server = new PeerTls(TestCertificates.context(CA.issue("member-2"), CA.certificate()),
            clientCertAuth, null);
        try (TestNodes nodes = TestNodes.startTls(List.of(anonymous, server))) {
            if (clientCertAuth) {
                nodes.pollUntil("the client refused", () -> nodes.node(2).counters().tlsHandshakesRefused.get() >= 2);
                assertFalse(nodes.node(2).isConnected(1));
                assertTrue(logged.stream().anyMatch(r -> r.getMessage().startsWith("member 2: TLS with peer 1 ")),
                    "the refusal is logged");
            } else {
                nodes.awaitConnected();
                assertTrue(nodes.node(1).send(heartbeat(1, 2)));
                nodes.pollUntil("heard", () -> nodes.inbox(2).messages.size() == 1);
                assertEquals(0, nodes.node(2).counters().tlsHandshakesRefused.get());
            }
        }
    }

    @Test
    void plaintextAndForgedFramesAtATlsMemberAreDroppedAndCounted() {
        final List<PeerTls> tls = Arrays.asList(goodMember(), null); // member 2 runs without TLS
        try (TestNodes nodes = TestNodes.startTls(tls)) {
            final TransportCounters counters1 = nodes.node(1).counters();
            nodes.pollUntil("plaintext frames dropped (or, wrongly, delivered)", () -> {
                nodes.node(2).send(heartbeat(2, 1));
                return counters1.framesNotTls.get() >= 3 || !nodes.inbox(1).messages.isEmpty();
            });
            assertTrue(nodes.inbox(1).messages.isEmpty(), "a plaintext frame reached Raft at a TLS member");
            nodes.pollUntil("the TLS member's envelopes are not raft frames to the plaintext one",
                () -> nodes.node(2).counters().framesMalformed.get() >= 1);
            assertFalse(nodes.node(1).send(heartbeat(1, 2)), "no session with a plaintext member");
            assertTrue(counters1.sendNoTlsSession.get() >= 1);

            // A forged envelope (right cluster, sender and addressee) around a record of no session of member 1's.
            final UnsafeBuffer forged = new UnsafeBuffer(new byte[TlsEnvelope.HEADER_BYTES + 64]);
            TlsEnvelope.write(forged, TlsEnvelope.KIND_RECORDS, TestNodes.CLUSTER_ID, 2, 1, 0x5EED);
            forged.putBytes(TlsEnvelope.HEADER_BYTES, new byte[] {23, 3, 3, 0, 59});
            final long beforeHandshake = counters1.framesBeforeHandshake.get();
            try (Aeron raw = Aeron.connect(new Aeron.Context().aeronDirectoryName(nodes.node(2).config().aeronDir()
                .toString()))) {
                final ExclusivePublication messages = raw.addExclusivePublication(
                    "aeron:udp?endpoint=" + nodes.node(1).config().listenUrl().udpEndpoint(),
                    AeronTransport.MESSAGE_STREAM_ID);
                nodes.pollUntil("forged frame offered", () -> messages.offer(forged, 0, forged.capacity()) > 0);
                nodes.pollUntil("forged frame dropped", () -> counters1.framesBeforeHandshake.get() > beforeHandshake);
            }
            assertTrue(nodes.inbox(1).messages.isEmpty(), "nothing reached Raft");
            assertEquals(0, counters1.messagesReceived.get());
            assertTrue(nodes.inbox(2).messages.isEmpty());
        }
    }
}
