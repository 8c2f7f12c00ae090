package io.cairn.engine.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A certificate chain and the private key of its first certificate, read from a --cert-file and
 * --key-file pair and checked: the key belongs to the certificate (a signature made with it
 * verifies with the certificate's public key) and the certificate is valid now. etcd (Go's
 * {@code tls.X509KeyPair}) checks the first and starts with an expired certificate that every
 * client then refuses; Cairn refuses to start instead, naming the dates.
 */
public record CertifiedKey(List<X509Certificate> chain, PrivateKey key) {
    private static final byte[] PROBE = "cairn: does this key belong to this certificate?"
        .getBytes(StandardCharsets.US_ASCII);

    public CertifiedKey {
        chain = List.copyOf(chain);
    }

    public X509Certificate leaf() {
        return chain.getFirst();
    }

    /** Reads and checks the pair; errors name the files. */
    public static CertifiedKey read(final Path certFile, final Path keyFile, final Instant now) throws IOException {
        final List<X509Certificate> chain = PemFiles.certificates(certFile);
        final PrivateKey key = PemFiles.privateKey(keyFile);
        final X509Certificate leaf = chain.getFirst();
        if (!belongTogether(key, leaf)) {
            throw new IOException("the private key in " + keyFile + " does not match the certificate in " + certFile);
        }
        if (now.isAfter(leaf.getNotAfter().toInstant())) {
            throw new IOException("the certificate in " + certFile + " expired at " + leaf.getNotAfter().toInstant()
                + " (" + leaf.getSubjectX500Principal().getName() + ")");
        }
        if (now.isBefore(leaf.getNotBefore().toInstant())) {
            throw new IOException("the certificate in " + certFile + " is not valid before "
                + leaf.getNotBefore().toInstant() + " (" + leaf.getSubjectX500Principal().getName() + ")");
        }
        return new CertifiedKey(chain, key);
    }

    private static boolean belongTogether(final PrivateKey key, final X509Certificate certificate) {
        final String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null;
        };
        if (algorithm == null || !key.getAlgorithm().equals(certificate.getPublicKey().getAlgorithm())) {
            return false;
        }
        try {
            final Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(PROBE);
            final byte[] signature = signer.sign();
            final Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(PROBE);
            return verifier.verify(signature);
        } catch (final GeneralSecurityException e) {
            return false;
        }
    }
}
