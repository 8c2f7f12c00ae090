package io.cairn.engine.tls;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * --auto-tls and --peer-auto-tls: etcd 3.4's self-signed certificate ({@code transport.SelfCert}),
 * written as {@code cert.pem} and {@code key.pem} under {@code <data-dir>/fixtures/client} or
 * {@code fixtures/peer} and reused as they are when both exist (a restart keeps its certificate;
 * delete them to get a new one). Like etcd's: organization "etcd", an ECDSA P-521 key, valid for
 * one year from now, for server authentication, naming the listen URLs' hosts (IP addresses as IP
 * names, others as DNS names).
 */
public final class SelfSignedCertificate {
    private static final System.Logger LOG = System.getLogger(SelfSignedCertificate.class.getName());
    private static final Duration VALIDITY = Duration.ofDays(365);
    private static final int SERIAL_BITS = 128;

    private SelfSignedCertificate() {
    }

    /** The certificate and key files in {@code dir}, made now if either is missing. */
    public static List<Path> ensure(final Path dir, final List<URI> listenUrls, final Instant now) throws IOException {
        final Path certFile = dir.resolve("cert.pem");
        final Path keyFile = dir.resolve("key.pem");
        if (Files.exists(certFile) && Files.exists(keyFile)) {
            return List.of(certFile, keyFile);
        }
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        final KeyPair pair = newKeyPair();
        write(certFile, PemText.certificate(certificate(pair, hosts(listenUrls), now)), "rw-r--r--");
        LOG.log(System.Logger.Level.INFO, "created cert file " + certFile);
        write(keyFile, PemText.ecPrivateKey(pair), "rw-------");
        LOG.log(System.Logger.Level.INFO, "created key file " + keyFile);
        return List.of(certFile, keyFile);
    }

    private static Set<String> hosts(final List<URI> urls) {
        final Set<String> hosts = new LinkedHashSet<>();
        urls.forEach(url -> hosts.add(url.getHost().startsWith("[") ? url.getHost().substring(1, url.getHost().length() - 1)
            : url.getHost()));
        return hosts;
    }

    private static KeyPair newKeyPair() {
        try {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp521r1"));
            return generator.generateKeyPair();
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("this Java runtime cannot make P-521 keys", e);
        }
    }

    private static X509CertificateHolder certificate(final KeyPair pair, final Set<String> hosts, final Instant now)
        throws IOException {
        final List<GeneralName> names = new ArrayList<>();
        for (final String host : hosts) {
            names.add(isIpAddress(host) ? new GeneralName(GeneralName.iPAddress, host)
                : new GeneralName(GeneralName.dNSName, host));
        }
        final var subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "etcd").build();
        final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
            new BigInteger(SERIAL_BITS, new SecureRandom()), Date.from(now), Date.from(now.plus(VALIDITY)), subject,
            pair.getPublic());
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyEncipherment | KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        if (!names.isEmpty()) {
            builder.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(names.toArray(GeneralName[]::new)));
        }
        try {
            return builder.build(new JcaContentSignerBuilder("SHA512withECDSA").build(pair.getPrivate()));
        } catch (final OperatorCreationException e) {
            throw new IllegalStateException("this Java runtime cannot sign with ECDSA", e);
        }
    }

    private static boolean isIpAddress(final String host) {
        return host.contains(":") || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    private static void write(final Path file, final String text, final String permissions) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions)));
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(text);
        }
        // Synced: an existing pair is reused as it is, so a torn file would stay torn.
        try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }
}
