package io.cairn.engine.tls;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * What a certificate presented to this member (or by a member this one dials) must chain to:
 * the CAs of --trusted-ca-file, or without it the Java runtime's CAs (Go uses the system's), or
 * for --auto-tls nothing at all (etcd skips verification of self-signed certificates; such a
 * connection is encrypted, not authenticated). The JDK's PKIX checks do the verifying, including
 * the extended key usage (a client certificate must allow clientAuth, as Go requires).
 */
public final class TrustedCertificates {
    private static final int CA_CERTIFICATES_MAX = 256;

    private TrustedCertificates() {
    }

    /** The CAs in {@code caFile}, which must hold at least one certificate. */
    public static X509ExtendedTrustManager fromFile(final Path caFile) throws IOException {
        final List<X509Certificate> cas = PemFiles.certificates(caFile);
        if (cas.size() > CA_CERTIFICATES_MAX) {
            throw new IOException(caFile + " holds more than " + CA_CERTIFICATES_MAX + " CA certificates");
        }
        try {
            final KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                store.setCertificateEntry("ca-" + i, cas.get(i));
            }
            return trustManager(store);
        } catch (final GeneralSecurityException e) {
            throw new IOException("cannot trust the CAs in " + caFile + ": " + e.getMessage(), e);
        }
    }

    /** The Java runtime's CAs (its cacerts). */
    public static X509ExtendedTrustManager system() {
        try {
            return trustManager(null);
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("the Java runtime's trusted CAs cannot be read", e);
        }
    }

    private static X509ExtendedTrustManager trustManager(final KeyStore store) throws GeneralSecurityException {
        final TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (final TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager x509) {
                return x509;
            }
        }
        throw new IllegalStateException("the JDK's trust manager factory made no X509 trust manager");
    }

    /**
     * Accepts any certificate: etcd's InsecureSkipVerify for auto TLS, where every member's
     * certificate is self-signed and there is no CA to check against.
     */
    public static X509ExtendedTrustManager acceptingAny() {
        return new AcceptAny();
    }

    /**
     * {@code delegate}, and then the first certificate's common name must be {@code allowedCn}:
     * --peer-cert-allowed-cn, which etcd checks on both ends of a peer connection.
     */
    public static X509ExtendedTrustManager requiringCommonName(final X509ExtendedTrustManager delegate,
        final String allowedCn) {
        return new RequireCommonName(delegate, allowedCn);
    }

    private static final class AcceptAny extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(final X509Certificate[] chain, final String authType, final Socket socket) {
        }

        @Override
        public void checkServerTrusted(final X509Certificate[] chain, final String authType, final Socket socket) {
        }

        @Override
        public void checkClientTrusted(final X509Certificate[] chain, final String authType, final SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(final X509Certificate[] chain, final String authType, final SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(final X509Certificate[] chain, final String authType) {
        }

        @Override
        public void checkServerTrusted(final X509Certificate[] chain, final String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    private static final class RequireCommonName extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;
        private final String allowedCn;

        RequireCommonName(final X509ExtendedTrustManager delegate, final String allowedCn) {
            this.delegate = delegate;
            this.allowedCn = allowedCn;
        }

        private void requireCn(final X509Certificate[] chain) throws CertificateException {
            if (chain.length == 0 || !allowedCn.equals(CommonNames.of(chain[0]))) {
                // etcd's text for the same refusal
                throw new CertificateException("client certificate authentication failed");
            }
        }

        @Override
        public void checkClientTrusted(final X509Certificate[] chain, final String authType, final Socket socket)
            throws CertificateException {
            delegate.checkClientTrusted(chain, authType, socket);
            requireCn(chain);
        }

        @Override
        public void checkServerTrusted(final X509Certificate[] chain, final String authType, final Socket socket)
            throws CertificateException {
            delegate.checkServerTrusted(chain, authType, socket);
            requireCn(chain);
        }

        @Override
        public void checkClientTrusted(final X509Certificate[] chain, final String authType, final SSLEngine engine)
            throws CertificateException {
            delegate.checkClientTrusted(chain, authType, engine);
            requireCn(chain);
        }

        @Override
        public void checkServerTrusted(final X509Certificate[] chain, final String authType, final SSLEngine engine)
            throws CertificateException {
            delegate.checkServerTrusted(chain, authType, engine);
            requireCn(chain);
        }

        @Override
        public void checkClientTrusted(final X509Certificate[] chain, final String authType)
            throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
            requireCn(chain);
        }

        @Override
        public void checkServerTrusted(final X509Certificate[] chain, final String authType)
            throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
            requireCn(chain);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
