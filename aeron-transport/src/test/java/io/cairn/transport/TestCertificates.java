package io.cairn.transport;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made in memory for the TLS tests, with BouncyCastle: CAs, and member certificates issued by them
 * (EC P-256, SAN IP 127.0.0.1 and DNS localhost, for TLS clients and servers alike, as etcd's peer certificates are).
 * Nothing is written to disk, and nothing secret is committed.
 */
final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    private static final char[] PASSWORD = "in-memory".toCharArray();

    private TestCertificates() {
    }

    /** A key and its certificate chain (leaf first). */
    record Identity(KeyPair keys, X509Certificate[] chain) {
    }

    /** A certificate authority that issues member certificates. */
    record Authority(KeyPair keys, X509Certificate certificate) {
        static Authority create(final String name) {
            final KeyPair keys = ecKeys();
            final X500Principal subject = new X500Principal("CN=" + name + ",O=Cairn tests");
            final Instant now = Instant.now();
            final X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
            try {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
                return new Authority(keys, sign(builder, keys));
            } catch (final java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** A member certificate valid now. */
        Identity issue(final String cn) {
            final Instant now = Instant.now();
            return issue(cn, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)));
        }

        /** A member certificate whose validity ended yesterday. */
        Identity issueExpired(final String cn) {
            final Instant now = Instant.now();
            return issue(cn, now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1)));
        }

        Identity issue(final String cn, final Instant notBefore, final Instant notAfter) {
            final KeyPair member = ecKeys();
            final X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                certificate.getSubjectX500Principal(), BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(notBefore), Date.from(notAfter), new X500Principal("CN=" + cn + ",O=Cairn tests"),
                member.getPublic());
            try {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                    new GeneralName(GeneralName.dNSName, "localhost")}));
                return new Identity(member, new X509Certificate[] {sign(builder, keys), certificate});
            } catch (final java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A context that presents {@code identity} (null: no certificate) and trusts {@code trusted} only. */
    static SSLContext context(final Identity identity, final X509Certificate trusted) {
        try {
            final KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            if (identity != null) {
                keys.setKeyEntry("member", identity.keys().getPrivate(), PASSWORD, identity.chain());
            }
            final KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(
                KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, PASSWORD);
            final KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", trusted);
            final TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(
                TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            final SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), new SecureRandom());
            return context;
        } catch (final GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair ecKeys() {
        try {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(final X509v3CertificateBuilder builder, final KeyPair issuer) {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
        } catch (final OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
