package io.cairn.engine.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.engine.testing.TestCertificates;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The peer {@link TlsContext} as the transport will use it: two engines from two members' contexts
 * handshake in memory. TLS 1.3 only, each member's certificate required and checked against
 * --peer-trusted-ca-file, --peer-cert-allowed-cn in both directions, and the dialer checks that the
 * other member's certificate names the host it dialed.
 */
class PeerTlsContextTest {
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final int STEPS_MAX = 200;

    @TempDir
    static Path dir;
    private static TestCertificates ca;

    @BeforeAll
    static void certificates() throws IOException {
        ca = TestCertificates.newCa(dir, "peer-ca");
    }

    private static TlsContext peer(final TestCertificates.CertAndKey files, final String allowedCn) throws IOException {
        return TlsContext.load(new TlsSettings(files.cert(), files.key(), ca.caFile(), true, false, allowedCn, List.of()),
            TlsContext.PEER_PROTOCOLS, dir.resolve("unused"), List.of(), Clock.systemUTC());
    }

    @Test
    void membersHandshakeWithTls13AndSeeEachOthersCertificate() throws Exception {
        final TlsContext a = peer(ca.server("member"), "member");
        final TlsContext b = peer(ca.server("member"), "member");
        final SSLEngine dialer = a.sslContext().createSSLEngine("127.0.0.1", 2380);
        dialer.setUseClientMode(true);
        final SSLEngine listener = b.sslContext().createSSLEngine();
        listener.setUseClientMode(false);
        handshake(dialer, listener);
        assertEquals("TLSv1.3", listener.getSession().getProtocol());
        assertEquals("member", CommonNames.of((X509Certificate) listener.getSession().getPeerCertificates()[0]));
        assertEquals("member", CommonNames.of((X509Certificate) dialer.getSession().getPeerCertificates()[0]));
    }

    @Test
    void aMemberWithASelfSignedCertificateOrAnotherCnIsRefused() throws Exception {
        final TlsContext listenerContext = peer(ca.server("member"), "member");
        final SSLEngine anonymous = TlsContext.load(new TlsSettings(null, null, null, false, true, null, List.of()),
            TlsContext.PEER_PROTOCOLS, dir.resolve("auto"), List.of(URI.create("https://127.0.0.1:2380")),
            Clock.systemUTC()).sslContext().createSSLEngine();
        anonymous.setUseClientMode(true);
        assertThrows(SSLException.class, () -> handshake(anonymous, server(listenerContext)));

        final SSLEngine intruder = peer(ca.server("intruder"), null).sslContext().createSSLEngine();
        intruder.setUseClientMode(true);
        assertThrows(SSLException.class, () -> handshake(intruder, server(listenerContext)));
    }

    @Test
    void theDialerChecksTheHostAndTheProtocol() throws Exception {
        final TlsContext a = peer(ca.server("member"), null);
        final TlsContext b = peer(ca.server("member"), null);
        final SSLEngine wrongHost = a.sslContext().createSSLEngine("10.9.9.9", 2380);
        wrongHost.setUseClientMode(true);
        assertThrows(SSLException.class, () -> handshake(wrongHost, server(b)));

        final SSLEngine tls12 = a.sslContext().createSSLEngine("127.0.0.1", 2380);
        tls12.setUseClientMode(true);
        tls12.setEnabledProtocols(new String[] {"TLSv1.2"});
        assertThrows(SSLException.class, () -> handshake(tls12, server(b)));
    }

    @Test
    void clientSocketsGetTheSameProtocolsAndSuitesAsEngines() throws IOException {
        final TlsContext a = peer(ca.server("member"), "member");
        final SSLEngine engine = a.sslContext().createSSLEngine("127.0.0.1", 2380);
        try (SSLSocket socket = (SSLSocket) a.sslContext().getSocketFactory().createSocket()) {
            assertEquals(List.of("TLSv1.3"), List.of(socket.getEnabledProtocols()));
            assertEquals(List.of(engine.getEnabledCipherSuites()), List.of(socket.getEnabledCipherSuites()));
        }
    }

    private static SSLEngine server(final TlsContext context) {
        final SSLEngine engine = context.sslContext().createSSLEngine();
        engine.setUseClientMode(false);
        return engine;
    }

    /** Runs both engines' handshakes against each other in memory; throws what an engine throws. */
    private static void handshake(final SSLEngine client, final SSLEngine server) throws SSLException {
        final ByteBuffer toServer = ByteBuffer.allocate(BUFFER_BYTES);
        final ByteBuffer toClient = ByteBuffer.allocate(BUFFER_BYTES);
        client.beginHandshake();
        server.beginHandshake();
        for (int i = 0; i < STEPS_MAX; i++) {
            step(client, toClient, toServer);
            step(server, toServer, toClient);
            if (finished(client) && finished(server)) {
                return;
            }
        }
        fail("the handshake did not finish in " + STEPS_MAX + " steps");
    }

    private static boolean finished(final SSLEngine engine) {
        return engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING;
    }

    private static void step(final SSLEngine engine, final ByteBuffer in, final ByteBuffer out) throws SSLException {
        switch (engine.getHandshakeStatus()) {
            case NEED_TASK -> {
                Runnable task;
                while ((task = engine.getDelegatedTask()) != null) {
                    task.run();
                }
            }
            case NEED_WRAP -> engine.wrap(ByteBuffer.allocate(0), out);
            case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                in.flip();
                engine.unwrap(in, ByteBuffer.allocate(BUFFER_BYTES));
                in.compact();
            }
            default -> { }
        }
    }
}
