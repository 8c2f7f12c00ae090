package io.cairn.engine.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/** PEM text as openssl, cfssl and Go write it (the counterpart of {@link PemFiles}). */
public final class PemText {
    private PemText() {
    }

    public static String certificate(final X509CertificateHolder certificate) throws IOException {
        return pem(new PemObject("CERTIFICATE", certificate.getEncoded()));
    }

    /**
     * An EC key as SEC1 "EC PRIVATE KEY", with its curve and public key inside, as openssl and Go's
     * {@code x509.MarshalECPrivateKey} write it. (The JDK's PKCS#8 encoding keeps the curve only
     * in the outer algorithm identifier, so the inner structure alone would name no curve.)
     */
    public static String ecPrivateKey(final KeyPair pair) throws IOException {
        final PrivateKeyInfo pkcs8 = PrivateKeyInfo.getInstance(pair.getPrivate().getEncoded());
        final org.bouncycastle.asn1.sec.ECPrivateKey inner =
            org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(pkcs8.parsePrivateKey());
        final int orderBits = ((ECPrivateKey) pair.getPrivate()).getParams().getOrder().bitLength();
        final org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(orderBits,
            inner.getKey(), SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded()).getPublicKeyData(),
            pkcs8.getPrivateKeyAlgorithm().getParameters());
        return pem(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
    }

    private static String pem(final PemObject object) throws IOException {
        final StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(object);
        }
        return text.toString();
    }
}
