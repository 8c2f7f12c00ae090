package io.cairn.engine.tls;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.time.Clock;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * One side's TLS, loaded: the member's certificate (reloaded when its files change), what it
 * trusts, and a JDK {@link SSLContext} whose engines come configured: the protocols of the side
 * (TLS 1.2 and 1.3 for clients, as etcd's minimum is 1.2; TLS 1.3 only between members), the
 * --cipher-suites, and a required client certificate when the settings ask for one. An engine
 * made with a host and port ({@code createSSLEngine(host, port)}, for dialing) also checks that
 * the server's certificate names that host, as Go's client does. Socket factories are not
 * offered: Netty and the peer transport use engines.
 */
public final class TlsContext {
    /** The client URLs' protocols: etcd 3.4 accepts TLS 1.2 and newer. */
    public static final List<String> CLIENT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** Between members: only TLS 1.3 (both ends are Cairn). */
    public static final List<String> PEER_PROTOCOLS = List.of("TLSv1.3");

    private final TlsSettings settings;
    private final ReloadingKeyManager keyManager;
    private final X509ExtendedTrustManager trustManager;
    private final SSLContext sslContext;

    private TlsContext(final TlsSettings settings, final ReloadingKeyManager keyManager,
        final X509ExtendedTrustManager trustManager, final SSLContext sslContext) {
        this.settings = settings;
        this.keyManager = keyManager;
        this.trustManager = trustManager;
        this.sslContext = sslContext;
    }

    /**
     * Reads {@code settings}' files (or, for auto TLS, makes or reuses the self-signed pair in
     * {@code autoTlsDir} naming the hosts of {@code listenUrls}) and builds the context.
     *
     * @param protocols {@link #CLIENT_PROTOCOLS} or {@link #PEER_PROTOCOLS}
     */
    public static TlsContext load(final TlsSettings settings, final List<String> protocols, final Path autoTlsDir,
        final List<URI> listenUrls, final Clock clock) throws IOException {
        if (!settings.enabled()) {
            throw new IllegalArgumentException("no certificate and key given, and no auto TLS");
        }
        final Path certFile;
        final Path keyFile;
        if (settings.usesAutoTls()) {
            final List<Path> pair = SelfSignedCertificate.ensure(autoTlsDir, listenUrls, clock.instant());
            certFile = pair.get(0);
            keyFile = pair.get(1);
        } else {
            certFile = settings.certFile();
            keyFile = settings.keyFile();
        }
        final ReloadingKeyManager keyManager = ReloadingKeyManager.open(certFile, keyFile, clock);
        X509ExtendedTrustManager trust = settings.usesAutoTls() ? TrustedCertificates.acceptingAny()
            : settings.trustedCaFile() != null ? TrustedCertificates.fromFile(settings.trustedCaFile())
            : TrustedCertificates.system();
        if (settings.allowedCn() != null) {
            trust = TrustedCertificates.requiringCommonName(trust, settings.allowedCn());
        }
        final SSLParameters parameters = new SSLParameters();
        parameters.setProtocols(protocols.toArray(String[]::new));
        final String[] suites = CipherSuites.enabledFor(settings.cipherSuites());
        if (suites != null) {
            parameters.setCipherSuites(suites);
            // etcd lists them in preference order, and Go's server follows its own order.
            parameters.setUseCipherSuitesOrder(true);
        }
        parameters.setNeedClientAuth(settings.requiresClientCertificate());
        try {
            final SSLContext jdk = SSLContext.getInstance("TLS");
            jdk.init(new KeyManager[] {keyManager}, new TrustManager[] {trust}, null);
            return new TlsContext(settings, keyManager, trust, new Configured(jdk, parameters));
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("this Java runtime has no usable TLS", e);
        }
    }

    /** Engines from this context come configured (see the class comment). */
    public SSLContext sslContext() {
        return sslContext;
    }

    public ReloadingKeyManager keyManager() {
        return keyManager;
    }

    public X509ExtendedTrustManager trustManager() {
        return trustManager;
    }

    public TlsSettings settings() {
        return settings;
    }

    /** Whether the other end must present a certificate the trust manager accepts. */
    public boolean requiresClientCertificate() {
        return settings.requiresClientCertificate();
    }

    /** An {@link SSLContext} over the JDK's that configures every engine and client socket it makes. */
    private static final class Configured extends SSLContext {
        Configured(final SSLContext jdk, final SSLParameters parameters) {
            super(new Spi(jdk, parameters), jdk.getProvider(), jdk.getProtocol());
        }
    }

    private static final class Spi extends SSLContextSpi {
        private final SSLContext jdk;
        private final SSLParameters parameters;

        Spi(final SSLContext jdk, final SSLParameters parameters) {
            this.jdk = jdk;
            this.parameters = parameters;
        }

        @Override
        protected void engineInit(final KeyManager[] km, final TrustManager[] tm, final java.security.SecureRandom sr)
            throws KeyManagementException {
            throw new KeyManagementException("this TLS context is already initialized from the member's flags");
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            final SSLEngine engine = jdk.createSSLEngine();
            engine.setSSLParameters(copy(parameters));
            return engine;
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(final String host, final int port) {
            final SSLEngine engine = jdk.createSSLEngine(host, port);
            final SSLParameters dialing = copy(parameters);
            dialing.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(dialing);
            return engine;
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return new ConfiguredSocketFactory(jdk.getSocketFactory(), parameters);
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            throw new UnsupportedOperationException("Cairn's TLS contexts make SSLEngines only");
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return jdk.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return jdk.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return copy(parameters);
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return jdk.getSupportedSSLParameters();
        }

        private static SSLParameters copy(final SSLParameters source) {
            final SSLParameters copy = new SSLParameters(source.getCipherSuites(), source.getProtocols());
            copy.setUseCipherSuitesOrder(source.getUseCipherSuitesOrder());
            copy.setNeedClientAuth(source.getNeedClientAuth());
            return copy;
        }
    }
}
