package io.cairn.engine.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.cluster.Member;
import io.cairn.engine.testing.TestCertificates;
import io.cairn.engine.tls.TlsContext;
import io.cairn.engine.tls.TlsSettings;
import io.cairn.engine.tls.TrustedCertificates;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The peer port over https with the peer TLS contexts the engine builds from its flags
 * (--peer-cert-file, --peer-key-file, --peer-trusted-ca-file, --peer-client-cert-auth): a member
 * with a certificate from the cluster's CA reads the members; one without a certificate, or with
 * a foreign CA's, or that does not trust the listener's CA, does not.
 */
class PeerHttpsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final ClusterView VIEW = new ClusterView(0x1234_5678_9abc_def0L, List.of(
        new Member(0x8e9e_05c5_2164_694dL, "m1", List.of("https://127.0.0.1:2380"), List.of("https://127.0.0.1:2379"),
            false)), Set.of());

    @TempDir
    static Path dir;
    private static TestCertificates ca;

    @BeforeAll
    static void certificates() throws IOException {
        ca = TestCertificates.newCa(dir, "peer-http-ca");
    }

    /** A member's peer TLS as the engine loads it: its certificate from {@code issuer}, trusting {@code trusted}. */
    private static TlsContext peer(final TestCertificates issuer, final TestCertificates trusted) throws IOException {
        final TestCertificates.CertAndKey files = issuer.server("member");
        return TlsContext.load(new TlsSettings(files.cert(), files.key(), trusted.caFile(), true, false, null,
            List.of()), TlsContext.PEER_PROTOCOLS, dir.resolve("unused"), List.of(), Clock.systemUTC());
    }

    private static PeerHttpServer listener(final TlsContext tls) throws IOException {
        return PeerHttpServer.start(URI.create("https://127.0.0.1:0"), tls.sslContext(), tls.requiresClientCertificate(),
            () -> VIEW);
    }

    private static List<URI> url(final PeerHttpServer server) {
        return List.of(URI.create("https://127.0.0.1:" + server.address().getPort()));
    }

    @Test
    void aMemberWithTheClustersCertificateReadsTheMembers() throws IOException {
        final TlsContext listenerTls = peer(ca, ca);
        assertTrue(listenerTls.requiresClientCertificate());
        try (PeerHttpServer server = listener(listenerTls)) {
            assertEquals(VIEW, RemoteCluster.fetch(url(server), peer(ca, ca).sslContext(), TIMEOUT));
        }
    }

    @Test
    void withoutAClientCertificateOrWithAForeignOneTheAnswerIsRefused() throws IOException, GeneralSecurityException {
        final SSLContext trustingButAnonymous = SSLContext.getInstance("TLS");
        trustingButAnonymous.init(null, new TrustManager[] {TrustedCertificates.fromFile(ca.caFile())}, null);
        final TestCertificates foreign = TestCertificates.newCa(dir, "foreign-ca");
        try (PeerHttpServer server = listener(peer(ca, ca))) {
            // In TLS 1.3 the listener judges the client's certificate after the client has finished
            // its handshake: the refusal arrives as the certificate_required alert or as a reset of the
            // request, whichever wins the race. Either way nothing is read.
            final IOException anonymous = assertThrows(IOException.class,
                () -> RemoteCluster.fetch(url(server), trustingButAnonymous, TIMEOUT));
            assertTrue(anonymous.getMessage().contains(url(server).getFirst() + "/members: "), anonymous.getMessage());
            assertFalse(anonymous.getMessage().contains("no answer within"), anonymous.getMessage());
            // The JDK's client offers no certificate that the listener's CA did not issue: refused the same way.
            final IOException stranger = assertThrows(IOException.class,
                () -> RemoteCluster.fetch(url(server), peer(foreign, ca).sslContext(), TIMEOUT));
            assertFalse(stranger.getMessage().contains("no answer within"), stranger.getMessage());
            // The dialer checks the listener too: a member that trusts another CA does not take its answer.
            final IOException untrusted = assertThrows(IOException.class,
                () -> RemoteCluster.fetch(url(server), peer(ca, foreign).sslContext(), TIMEOUT));
            assertTrue(untrusted.getMessage().contains("unable to find valid certification path"),
                untrusted.getMessage());
            // The same listener answers a member of the cluster.
            assertEquals(VIEW, RemoteCluster.fetch(url(server), peer(ca, ca).sslContext(), TIMEOUT));
        }
    }

    @Test
    void theDialerChecksThatTheListenersCertificateNamesTheIpItDialed() throws IOException {
        final TestCertificates.Spec member = ca.spec("member").serverAndClient();
        final TestCertificates.CertAndKey elsewhere = ca.issue(new TestCertificates.Spec(member.commonName(),
            List.of("10.9.9.9"), List.of(), true, true, member.notBefore(), member.notAfter(), member.keyFormat(),
            false));
        final TlsContext listenerTls = TlsContext.load(new TlsSettings(elsewhere.cert(), elsewhere.key(), ca.caFile(),
            true, false, null, List.of()), TlsContext.PEER_PROTOCOLS, dir.resolve("unused"), List.of(),
            Clock.systemUTC());
        try (PeerHttpServer server = listener(listenerTls)) {
            final IOException wrongHost = assertThrows(IOException.class,
                () -> RemoteCluster.fetch(url(server), peer(ca, ca).sslContext(), TIMEOUT));
            assertTrue(wrongHost.getMessage().contains("No subject alternative names matching IP address 127.0.0.1"),
                wrongHost.getMessage());
        }
    }

    @Test
    void withoutClientCertificateAuthAnAnonymousMemberReadsThem() throws IOException, GeneralSecurityException {
        final SSLContext trustingButAnonymous = SSLContext.getInstance("TLS");
        trustingButAnonymous.init(null, new TrustManager[] {TrustedCertificates.fromFile(ca.caFile())}, null);
        try (PeerHttpServer server = PeerHttpServer.start(URI.create("https://127.0.0.1:0"),
            peer(ca, ca).sslContext(), false, () -> VIEW)) {
            assertEquals(VIEW, RemoteCluster.fetch(url(server), trustingButAnonymous, TIMEOUT));
        }
    }
}
