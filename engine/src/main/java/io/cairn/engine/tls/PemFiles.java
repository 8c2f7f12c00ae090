package io.cairn.engine.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads the PEM files etcd's flags name: certificates (a chain, leaf first, as cfssl and openssl
 * write them) and one unencrypted private key as PKCS#1 ("RSA PRIVATE KEY"), SEC1 ("EC PRIVATE
 * KEY") or PKCS#8 ("PRIVATE KEY"). Other PEM blocks (an "EC PARAMETERS" block openssl puts before a
 * key) are skipped. Errors name the file and what is wrong with it.
 */
public final class PemFiles {
    /** Certificate and key files are small; a larger one is not what the flag should name. */
    private static final long FILE_BYTES_MAX = 1024 * 1024;
    private static final int CERTIFICATES_MAX = 256;

    private PemFiles() {
    }

    /** Every certificate in {@code file}, in file order; at least one. */
    public static List<X509Certificate> certificates(final Path file) throws IOException {
        final List<X509Certificate> certificates = new ArrayList<>();
        try (PEMParser parser = new PEMParser(read(file))) {
            Object object;
            while ((object = nextObject(parser, file)) != null) {
                if (object instanceof X509CertificateHolder holder) {
                    if (certificates.size() == CERTIFICATES_MAX) {
                        throw new IOException(file + " holds more than " + CERTIFICATES_MAX + " certificates");
                    }
                    certificates.add(new JcaX509CertificateConverter().getCertificate(holder));
                }
            }
        } catch (final CertificateException e) {
            throw new IOException(file + " holds a certificate that cannot be read: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IOException(file + " holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\")");
        }
        return List.copyOf(certificates);
    }

    /** The one private key in {@code file}. */
    public static PrivateKey privateKey(final Path file) throws IOException {
        PrivateKey key = null;
        try (PEMParser parser = new PEMParser(read(file))) {
            Object object;
            while ((object = nextObject(parser, file)) != null) {
                final PrivateKeyInfo info = switch (object) {
                    case PEMKeyPair pair -> pair.getPrivateKeyInfo();
                    case PrivateKeyInfo plain -> plain;
                    case PEMEncryptedKeyPair ignored -> throw encrypted(file);
                    case PKCS8EncryptedPrivateKeyInfo ignored -> throw encrypted(file);
                    default -> null;
                };
                if (info == null) {
                    continue;
                }
                if (key != null) {
                    throw new IOException(file + " holds more than one private key");
                }
                key = new JcaPEMKeyConverter().getPrivateKey(info);
            }
        }
        if (key == null) {
            throw new IOException(file + " holds no PEM private key (\"-----BEGIN ... PRIVATE KEY-----\")");
        }
        return key;
    }

    private static IOException encrypted(final Path file) {
        return new IOException(file + " holds an encrypted private key; etcd and Cairn need it unencrypted");
    }

    private static Object nextObject(final PEMParser parser, final Path file) throws IOException {
        try {
            return parser.readObject();
        } catch (final IOException | RuntimeException e) {
            throw new IOException(file + " is not valid PEM: " + e.getMessage(), e);
        }
    }

    private static Reader read(final Path file) throws IOException {
        try {
            if (Files.isDirectory(file)) {
                throw new IOException(file + " is a directory");
            }
            if (Files.size(file) > FILE_BYTES_MAX) {
                throw new IOException(file + " is larger than " + FILE_BYTES_MAX + " bytes");
            }
            return new StringReader(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (final NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        } catch (final AccessDeniedException e) {
            throw new IOException(file + ": permission denied", e);
        } catch (final java.nio.charset.CharacterCodingException e) {
            throw new IOException(file + " is not a PEM text file", e);
        }
    }
}
