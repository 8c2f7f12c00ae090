package io.cairn.engine.server;

import io.cairn.engine.tls.TlsContext;
import io.cairn.engine.tls.TrustedCertificates;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.net.URI;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * gRPC channels to other members' advertised client URLs (the corruption checks ask them for
 * HashKV). An https URL is dialed over TLS as etcd dials with its client TLS settings: this
 * member's client certificate (--cert-file, --key-file) is offered, and the member's certificate
 * must chain to --trusted-ca-file (the Java runtime's CAs without it; anything with auto TLS) and
 * name the URL's host. The JDK's TLS engine, as on the serving side.
 */
public final class MemberChannels {
    /** Null: this member has no client TLS; https URLs are dialed without a certificate. */
    private final SslContext sslContext;

    public MemberChannels(final TlsContext tls) {
        this.sslContext = tls == null ? null : clientContext(tls);
    }

    /** A member without client TLS: plain http only (https URLs trust the Java runtime's CAs). */
    public static MemberChannels plain() {
        return new MemberChannels(null);
    }

    /** A channel to {@code url}; the caller shuts it down. */
    public ManagedChannel open(final URI url) {
        final NettyChannelBuilder builder = NettyChannelBuilder.forAddress(url.getHost(), url.getPort());
        if (!"https".equals(url.getScheme())) {
            return builder.usePlaintext().build();
        }
        return builder.sslContext(sslContext != null ? sslContext : systemTrust()).build();
    }

    private static SslContext clientContext(final TlsContext tls) {
        try {
            final SslContextBuilder builder = GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK)
                .keyManager(tls.keyManager())
                .trustManager(tls.trustManager())
                .protocols(TlsContext.CLIENT_PROTOCOLS);
            // The configured suites with TLS 1.3's (null: the JDK's defaults).
            final String[] suites = tls.sslContext().getDefaultSSLParameters().getCipherSuites();
            if (suites != null) {
                builder.ciphers(List.of(suites));
            }
            return builder.build();
        } catch (final SSLException e) {
            throw new IllegalStateException("cannot build the TLS context for dialing members", e);
        }
    }

    private static SslContext systemTrust() {
        try {
            return GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK)
                .trustManager(TrustedCertificates.system()).build();
        } catch (final SSLException e) {
            throw new IllegalStateException("cannot build the TLS context for dialing members", e);
        }
    }
}
