package io.cairn.engine.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.testing.TestCertificates;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Reading certificate, key and CA files, with the errors an operator sees; auto TLS; cipher suite names. */
class TlsFilesTest {
    @TempDir
    static Path dir;
    private static TestCertificates ca;
    private static TestCertificates.CertAndKey server;

    @BeforeAll
    static void certificates() throws IOException {
        ca = TestCertificates.newCa(dir, "files-ca");
        server = ca.server("member");
    }

    private static String error(final Path cert, final Path key) {
        return assertThrows(IOException.class, () -> CertifiedKey.read(cert, key, Instant.now())).getMessage();
    }

    @ParameterizedTest
    @EnumSource(TestCertificates.KeyFormat.class)
    void everyKeyFormatCfsslAndOpensslWriteIsRead(final TestCertificates.KeyFormat format) throws IOException {
        final TestCertificates.CertAndKey files = ca.issue(ca.spec("k").serverAndClient().keyFormat(format));
        final String pem = Files.readString(files.key());
        assertTrue(pem.startsWith(switch (format) {
            case RSA_PKCS1 -> "-----BEGIN RSA PRIVATE KEY-----";
            case EC_SEC1 -> "-----BEGIN EC PRIVATE KEY-----";
            case RSA_PKCS8, EC_PKCS8 -> "-----BEGIN PRIVATE KEY-----";
        }), pem);
        final CertifiedKey pair = CertifiedKey.read(files.cert(), files.key(), Instant.now());
        assertEquals("k", CommonNames.of(pair.leaf()));
    }

    @Test
    void aChainInTheCertificateFileIsKept() throws IOException {
        final TestCertificates.CertAndKey files = ca.issue(ca.spec("chained").serverAndClient().withChain());
        final List<X509Certificate> chain = CertifiedKey.read(files.cert(), files.key(), Instant.now()).chain();
        assertEquals(2, chain.size());
        assertEquals("files-ca", CommonNames.of(chain.get(1)));
    }

    @Test
    void aMissingFileIsNamed() {
        final Path missing = dir.resolve("missing.pem");
        assertEquals(missing + ": no such file", error(missing, server.key()));
        assertEquals(missing + ": no such file", error(server.cert(), missing));
    }

    @Test
    void aDirectoryOrAnUnreadableFileIsNamed() throws IOException {
        assertEquals(dir + " is a directory", error(dir, server.key()));
        final Path locked = Files.copy(server.key(), dir.resolve("locked-key.pem"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        if (!Files.isReadable(locked)) { // root reads it anyway
            assertEquals(locked + ": permission denied", error(server.cert(), locked));
        }
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() throws IOException {
        final TestCertificates.CertAndKey other = ca.server("other");
        assertEquals("the private key in " + other.key() + " does not match the certificate in " + server.cert(),
            error(server.cert(), other.key()));
        final TestCertificates.CertAndKey rsa = ca.issue(ca.spec("rsa").serverAndClient()
            .keyFormat(TestCertificates.KeyFormat.RSA_PKCS1));
        assertEquals("the private key in " + rsa.key() + " does not match the certificate in " + server.cert(),
            error(server.cert(), rsa.key()));
    }

    @Test
    void anExpiredOrNotYetValidCertificateIsRefused() throws IOException {
        final Instant now = Instant.now();
        final TestCertificates.CertAndKey expired = ca.issue(ca.spec("expired").serverAndClient()
            .validFor(now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1))));
        assertTrue(error(expired.cert(), expired.key()).startsWith("the certificate in " + expired.cert() + " expired at "),
            error(expired.cert(), expired.key()));
        final TestCertificates.CertAndKey future = ca.issue(ca.spec("future").serverAndClient()
            .validFor(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(2))));
        assertTrue(error(future.cert(), future.key()).startsWith("the certificate in " + future.cert()
            + " is not valid before "), error(future.cert(), future.key()));
    }

    @Test
    void filesThatAreNotWhatTheFlagSaysAreRefused() throws IOException {
        assertEquals(server.key() + " holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\")",
            error(server.key(), server.key()));
        assertTrue(error(server.cert(), server.cert()).startsWith(server.cert() + " holds no PEM private key"));
        final Path empty = Files.writeString(dir.resolve("empty-ca.pem"), "");
        assertEquals(empty + " holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\")",
            assertThrows(IOException.class, () -> TrustedCertificates.fromFile(empty)).getMessage());
        final Path garbage = Files.writeString(dir.resolve("garbage.pem"),
            "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
        assertTrue(assertThrows(IOException.class, () -> TrustedCertificates.fromFile(garbage)).getMessage()
            .startsWith(garbage + " is not valid PEM"));
    }

    @Test
    void autoTlsWritesEtcdsSelfSignedPairOnceAndReusesIt() throws Exception {
        final Path fixtures = dir.resolve("data").resolve("fixtures").resolve("client");
        final List<URI> urls = List.of(URI.create("https://127.0.0.1:2379"), URI.create("https://node1.example:2379"));
        final List<Path> pair = SelfSignedCertificate.ensure(fixtures, urls, Instant.now());
        assertEquals(List.of(fixtures.resolve("cert.pem"), fixtures.resolve("key.pem")), pair);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pair.get(1))));
        assertTrue(Files.readString(pair.get(1)).startsWith("-----BEGIN EC PRIVATE KEY-----"));
        final X509Certificate certificate = CertifiedKey.read(pair.get(0), pair.get(1), Instant.now()).leaf();
        assertEquals("O=etcd", certificate.getSubjectX500Principal().getName());
        assertEquals(2, certificate.getSubjectAlternativeNames().size());
        assertEquals(Duration.ofDays(365), Duration.between(certificate.getNotBefore().toInstant(),
            certificate.getNotAfter().toInstant()));
        final String before = Files.readString(pair.get(0));
        SelfSignedCertificate.ensure(fixtures, urls, Instant.now());
        assertEquals(before, Files.readString(pair.get(0)), "an existing pair is reused");
    }

    @Test
    void aChangedCertificateIsUsedFromTheNextHandshakeOn() throws IOException {
        final Path cert = Files.copy(server.cert(), dir.resolve("live.pem"));
        final Path key = Files.copy(server.key(), dir.resolve("live-key.pem"));
        final MutableClock clock = new MutableClock();
        final ReloadingKeyManager keys = ReloadingKeyManager.open(cert, key, clock);
        final TestCertificates.CertAndKey renewed = ca.server("renewed");
        Files.copy(renewed.cert(), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(cert, FileTime.from(Instant.now().plusSeconds(5)));
        keys.chooseEngineServerAlias("EC", null, null);
        assertEquals("member", CommonNames.of(keys.current().leaf()), "checked at most once a second");
        clock.advance(Duration.ofSeconds(2));
        keys.chooseEngineServerAlias("EC", null, null);
        assertEquals("member", CommonNames.of(keys.current().leaf()), "a key that does not match yet: the old pair stays");
        Files.copy(renewed.key(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(key, FileTime.from(Instant.now().plusSeconds(5)));
        clock.advance(Duration.ofSeconds(2));
        assertNotEquals(null, keys.chooseEngineServerAlias("EC", null, null));
        assertEquals("renewed", CommonNames.of(keys.current().leaf()));
    }

    @Test
    void cipherSuitesTakeGosNames() {
        assertEquals(List.of(), CipherSuites.parse(""));
        assertEquals(List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
            CipherSuites.parse("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305"));
        assertEquals("unexpected TLS cipher suite \"TLS_NOT_A_SUITE\"", assertThrows(IllegalArgumentException.class,
            () -> CipherSuites.parse("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_NOT_A_SUITE")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CipherSuites.parse("TLS_RSA_WITH_RC4_128_SHA"))
            .getMessage().contains("disabled in this Java runtime"));
    }

    /** A clock the test moves. */
    private static final class MutableClock extends Clock {
        private Instant now = Instant.now();

        void advance(final Duration by) {
            now = now.plus(by);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(final java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
