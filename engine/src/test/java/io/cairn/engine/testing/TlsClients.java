package io.cairn.engine.testing;

import io.cairn.engine.tls.PemFiles;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Clients of an https member in tests: a gRPC channel and a JDK {@link SSLContext} (for
 * {@code java.net.http.HttpClient}) presenting a client certificate (or none) and trusting one CA
 * file, built from the JDK's own key and trust managers. The gRPC channel presents its certificate
 * even when the member names other CAs as acceptable (the JDK and Go would then send none), so a
 * certificate from a foreign CA really reaches the member's checks.
 */
public final class TlsClients {
    private TlsClients() {
    }

    /** A gRPC channel to 127.0.0.1:{@code port} over TLS; {@code client} null offers no certificate. */
    public static ManagedChannel channel(final int port, final TestCertificates.CertAndKey client, final Path caFile)
        throws IOException {
        try {
            final SslContextBuilder builder = GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK)
                .trustManager(trust(caFile));
            if (client != null) {
                builder.keyManager(new PresentAnyway(keys(client)));
            }
            return NettyChannelBuilder.forAddress("127.0.0.1", port).sslContext(builder.build()).build();
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JDK TLS context presenting {@code client} (null: none) and trusting {@code caFile}. */
    public static SSLContext sslContext(final TestCertificates.CertAndKey client, final Path caFile) throws IOException {
        try {
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(client == null ? null : keys(client).getKeyManagers(), trust(caFile).getTrustManagers(), null);
            return context;
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The JDK's key manager, told that any issuer is acceptable. */
    private static final class PresentAnyway extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager delegate;

        PresentAnyway(final KeyManagerFactory factory) {
            this.delegate = (X509ExtendedKeyManager) factory.getKeyManagers()[0];
        }

        @Override
        public String[] getClientAliases(final String keyType, final Principal[] issuers) {
            return delegate.getClientAliases(keyType, null);
        }

        @Override
        public String chooseClientAlias(final String[] keyTypes, final Principal[] issuers, final Socket socket) {
            return delegate.chooseClientAlias(keyTypes, null, socket);
        }

        @Override
        public String chooseEngineClientAlias(final String[] keyTypes, final Principal[] issuers, final SSLEngine engine) {
            return delegate.chooseEngineClientAlias(keyTypes, null, engine);
        }

        @Override
        public String[] getServerAliases(final String keyType, final Principal[] issuers) {
            return delegate.getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(final String keyType, final Principal[] issuers, final Socket socket) {
            return delegate.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public X509Certificate[] getCertificateChain(final String alias) {
            return delegate.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(final String alias) {
            return delegate.getPrivateKey(alias);
        }
    }

    private static KeyManagerFactory keys(final TestCertificates.CertAndKey client)
        throws IOException, GeneralSecurityException {
        final List<X509Certificate> chain = PemFiles.certificates(client.cert());
        final KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", PemFiles.privateKey(client.key()), new char[0], chain.toArray(X509Certificate[]::new));
        final KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, new char[0]);
        return factory;
    }

    private static TrustManagerFactory trust(final Path caFile) throws IOException, GeneralSecurityException {
        final KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        int i = 0;
        for (final X509Certificate ca : PemFiles.certificates(caFile)) {
            store.setCertificateEntry("ca-" + i++, ca);
        }
        final TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory;
    }
}
