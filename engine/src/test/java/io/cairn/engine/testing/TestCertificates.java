package io.cairn.engine.testing;

import io.cairn.engine.tls.PemText;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test-only certificates, made fresh in a temporary directory (nothing secret is committed): a CA
 * and the certificates it signs, written as PEM files the way cfssl and openssl write them. One
 * instance is one CA; make a second for "a certificate from a foreign CA".
 *
 * <pre>{@code
 * TestCertificates ca = TestCertificates.newCa(dir, "cairn-test-ca");
 * TestCertificates.CertAndKey server = ca.server("member1");   // SAN 127.0.0.1, ::1, localhost; serverAuth + clientAuth
 * TestCertificates.CertAndKey root = ca.client("root");        // CN=root, clientAuth
 * TestCertificates.CertAndKey expired = ca.issue(ca.spec("old").serverAndClient().validFor(
 *     Instant.now().minus(Duration.ofDays(2)), Instant.now().minus(Duration.ofDays(1))));
 * }</pre>
 */
public final class TestCertificates {
    /** A certificate file (leaf, then the chain when asked) and its key file. */
    public record CertAndKey(Path cert, Path key) {
    }

    /** How a key file is written. */
    public enum KeyFormat {
        /** "BEGIN RSA PRIVATE KEY" (openssl genrsa, cfssl's RSA keys). */
        RSA_PKCS1,
        /** "BEGIN PRIVATE KEY" with an RSA key (openssl genpkey). */
        RSA_PKCS8,
        /** "BEGIN EC PRIVATE KEY", P-256 (cfssl's default). */
        EC_SEC1,
        /** "BEGIN PRIVATE KEY" with a P-256 key. */
        EC_PKCS8
    }

    /** What to issue; change with the with-methods, then {@link #issue}. */
    public record Spec(String commonName, List<String> ipAddresses, List<String> dnsNames, boolean serverAuth,
                       boolean clientAuth, Instant notBefore, Instant notAfter, KeyFormat keyFormat,
                       boolean chain) {
        public Spec serverAndClient() {
            return new Spec(commonName, List.of("127.0.0.1", "::1"), List.of("localhost"), true, true, notBefore,
                notAfter, keyFormat, chain);
        }

        /** Server authentication only: refused as a client certificate (its key usage does not allow it). */
        public Spec serverOnly() {
            return new Spec(commonName, List.of("127.0.0.1", "::1"), List.of("localhost"), true, false, notBefore,
                notAfter, keyFormat, chain);
        }

        public Spec clientOnly() {
            return new Spec(commonName, List.of(), List.of(), false, true, notBefore, notAfter, keyFormat, chain);
        }

        public Spec validFor(final Instant from, final Instant to) {
            return new Spec(commonName, ipAddresses, dnsNames, serverAuth, clientAuth, from, to, keyFormat, chain);
        }

        public Spec keyFormat(final KeyFormat format) {
            return new Spec(commonName, ipAddresses, dnsNames, serverAuth, clientAuth, notBefore, notAfter, format,
                chain);
        }

        /** The CA's certificate after the leaf in the certificate file, as cfssl's bundles are. */
        public Spec withChain() {
            return new Spec(commonName, ipAddresses, dnsNames, serverAuth, clientAuth, notBefore, notAfter, keyFormat,
                true);
        }
    }

    private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime());

    private final Path dir;
    private final String name;
    private final KeyPair caKeys;
    private final X509CertificateHolder caCertificate;
    private final Path caFile;

    private TestCertificates(final Path dir, final String name, final KeyPair caKeys,
        final X509CertificateHolder caCertificate, final Path caFile) {
        this.dir = dir;
        this.name = name;
        this.caKeys = caKeys;
        this.caCertificate = caCertificate;
        this.caFile = caFile;
    }

    /** A new CA named {@code name}, valid from a day ago for ten years; its certificate in {@code dir/name-ca.pem}. */
    public static TestCertificates newCa(final Path dir, final String name) throws IOException {
        final KeyPair keys = keyPair(KeyFormat.EC_SEC1);
        final X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "cairn tests")
            .addRDN(BCStyle.CN, name).build();
        final Instant now = Instant.now();
        try {
            final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(3650))), subject,
                keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
            final X509CertificateHolder certificate = builder.build(signer(keys.getPrivate()));
            Files.createDirectories(dir);
            final Path caFile = dir.resolve(name + "-ca.pem");
            Files.writeString(caFile, pem(certificate));
            return new TestCertificates(dir, name, keys, certificate, caFile);
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The CA's certificate file (for --trusted-ca-file, etcdctl's --cacert). */
    public Path caFile() {
        return caFile;
    }

    /** A spec for {@code commonName}: valid from an hour ago for a year, EC key, no usages yet. */
    public Spec spec(final String commonName) {
        final Instant now = Instant.now();
        return new Spec(commonName, List.of(), List.of(), false, false, now.minus(Duration.ofHours(1)),
            now.plus(Duration.ofDays(365)), KeyFormat.EC_SEC1, false);
    }

    /** A member's certificate: CN {@code commonName}, SAN 127.0.0.1, ::1 and localhost, server and client auth. */
    public CertAndKey server(final String commonName) throws IOException {
        return issue(spec(commonName).serverAndClient());
    }

    /** A client's certificate with CN {@code commonName} (an etcd user name under --client-cert-auth). */
    public CertAndKey client(final String commonName) throws IOException {
        return issue(spec(commonName).clientOnly());
    }

    /** Issues {@code spec}, writing {@code <ca>-<cn>-<serial>.pem} and {@code ...-key.pem}. */
    public CertAndKey issue(final Spec spec) throws IOException {
        final KeyPair keys = keyPair(spec.keyFormat());
        final X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "cairn tests")
            .addRDN(BCStyle.CN, spec.commonName()).build();
        final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCertificate.getSubject(),
            serial(), Date.from(spec.notBefore()), Date.from(spec.notAfter()), subject, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true,
            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        final List<KeyPurposeId> purposes = new ArrayList<>();
        if (spec.serverAuth()) {
            purposes.add(KeyPurposeId.id_kp_serverAuth);
        }
        if (spec.clientAuth()) {
            purposes.add(KeyPurposeId.id_kp_clientAuth);
        }
        if (!purposes.isEmpty()) {
            builder.addExtension(Extension.extendedKeyUsage, false,
                new ExtendedKeyUsage(purposes.toArray(KeyPurposeId[]::new)));
        }
        final List<GeneralName> names = new ArrayList<>();
        spec.ipAddresses().forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
        spec.dnsNames().forEach(dns -> names.add(new GeneralName(GeneralName.dNSName, dns)));
        if (!names.isEmpty()) {
            builder.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(names.toArray(GeneralName[]::new)));
        }
        final X509CertificateHolder certificate = builder.build(signer(caKeys.getPrivate()));
        final String base = name + "-" + spec.commonName() + "-" + certificate.getSerialNumber().toString(16);
        final Path certFile = dir.resolve(base + ".pem");
        final Path keyFile = dir.resolve(base + "-key.pem");
        Files.writeString(certFile, pem(certificate) + (spec.chain() ? pem(caCertificate) : ""));
        Files.writeString(keyFile, keyPem(keys, spec.keyFormat()));
        return new CertAndKey(certFile, keyFile);
    }

    private static KeyPair keyPair(final KeyFormat format) {
        try {
            if (format == KeyFormat.RSA_PKCS1 || format == KeyFormat.RSA_PKCS8) {
                final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                return generator.generateKeyPair();
            }
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static org.bouncycastle.operator.ContentSigner signer(final PrivateKey key) {
        try {
            return new JcaContentSignerBuilder("SHA256withECDSA").build(key);
        } catch (final OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIALS.incrementAndGet());
    }

    private static String pem(final Object object) throws IOException {
        final StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        return text.toString();
    }

    private static String keyPem(final KeyPair keys, final KeyFormat format) throws IOException {
        return switch (format) {
            case RSA_PKCS1 -> pem(keys.getPrivate());
            case EC_SEC1 -> PemText.ecPrivateKey(keys);
            case RSA_PKCS8, EC_PKCS8 -> pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate());
        };
    }
}
