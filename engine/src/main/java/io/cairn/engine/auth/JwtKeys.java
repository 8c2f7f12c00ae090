package io.cairn.engine.auth;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * The PEM files of --auth-token jwt's priv-key and pub-key, read with BouncyCastle's PEMParser so
 * that every form openssl and Go write works (PKCS#1 and SEC1 "RSA/EC PRIVATE KEY", PKCS#8,
 * "PUBLIC KEY", or a certificate as the public key).
 */
final class JwtKeys {
    private JwtKeys() {
    }

    /** The key pair; the private key is null when only {@code publicKeyFile} is given (verify-only). */
    static KeyPair read(final Path privateKeyFile, final Path publicKeyFile) {
        if (privateKeyFile == null && publicKeyFile == null) {
            throw new IllegalArgumentException("--auth-token jwt needs priv-key (and pub-key) files: auth: missing key data");
        }
        final JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try {
            PrivateKey privateKey = null;
            PublicKey publicKey = null;
            if (privateKeyFile != null) {
                final Object pem = readPem(privateKeyFile);
                if (pem instanceof PEMKeyPair pair && pair.getPublicKeyInfo() != null) {
                    final KeyPair keys = converter.getKeyPair(pair);
                    privateKey = keys.getPrivate();
                    publicKey = keys.getPublic();
                } else if (pem instanceof PEMKeyPair pair) { // an EC key written without its public point
                    privateKey = converter.getPrivateKey(pair.getPrivateKeyInfo());
                    publicKey = derivedPublicKey(privateKey);
                } else if (pem instanceof PrivateKeyInfo info) {
                    privateKey = converter.getPrivateKey(info);
                    publicKey = derivedPublicKey(privateKey);
                } else {
                    throw new IllegalArgumentException("priv-key " + privateKeyFile + " holds no private key");
                }
            }
            if (publicKeyFile != null) {
                final Object pem = readPem(publicKeyFile);
                final PublicKey given = switch (pem) {
                    case SubjectPublicKeyInfo info -> converter.getPublicKey(info);
                    case X509CertificateHolder certificate -> converter.getPublicKey(certificate.getSubjectPublicKeyInfo());
                    case PEMKeyPair pair -> converter.getKeyPair(pair).getPublic();
                    default -> throw new IllegalArgumentException("pub-key " + publicKeyFile + " holds no public key");
                };
                if (publicKey != null && !publicKey.equals(given)) {
                    throw new IllegalArgumentException("priv-key and pub-key do not match: auth: public and private keys don't match");
                }
                publicKey = given;
            }
            if (publicKey == null) {
                throw new IllegalArgumentException("give pub-key too: its public key cannot be derived from priv-key "
                    + privateKeyFile);
            }
            return new KeyPair(publicKey, privateKey);
        } catch (final IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("--auth-token: cannot read the JWT keys: " + e.getMessage(), e);
        }
    }

    /** An HMAC secret: the priv-key file's bytes, as etcd takes them. */
    static byte[] readSecret(final Path privateKeyFile) {
        if (privateKeyFile == null) {
            throw new IllegalArgumentException("--auth-token jwt with an HS method needs priv-key: auth: missing key data");
        }
        try {
            return Files.readAllBytes(privateKeyFile);
        } catch (final IOException e) {
            throw new IllegalArgumentException("--auth-token: cannot read priv-key " + privateKeyFile + ": " + e, e);
        }
    }

    private static Object readPem(final Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file); PEMParser parser = new PEMParser(reader)) {
            final Object pem = parser.readObject();
            if (pem == null) {
                throw new IllegalArgumentException(file + " is not a PEM file");
            }
            return pem;
        }
    }

    private static PublicKey derivedPublicKey(final PrivateKey key) throws java.security.GeneralSecurityException {
        if (key instanceof RSAPrivateCrtKey rsa) {
            return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
        }
        return null;
    }
}
