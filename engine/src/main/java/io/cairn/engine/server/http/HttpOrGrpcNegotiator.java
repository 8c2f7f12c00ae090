package io.cairn.engine.server.http;

import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalNettyServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.util.AsciiString;
import java.util.concurrent.CompletableFuture;

/**
 * gRPC's hook into a new connection's pipeline (its "protocol negotiator"), used to put a {@link
 * ProtocolSniffer} first, as etcd's cmux does on its client port, or for an https URL a {@link
 * TlsHandshake} that puts the sniffer first once the connection is decrypted. grpc-java marks this
 * API internal; it is the only place Cairn uses it, and a grpc upgrade that changes it fails to
 * compile here rather than at run time.
 */
public final class HttpOrGrpcNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {
    private static final AsciiString HTTPS = AsciiString.of("https");

    private final InternalProtocolNegotiator.ProtocolNegotiator plaintext = InternalProtocolNegotiators.serverPlaintext();
    /** Done once the member serves: until then an HTTP request waits in its connection. */
    private final CompletableFuture<HttpEndpoints> http;
    private final boolean httpOnly;
    /** Null: plain connections only. */
    private final TlsTermination tls;
    /** With {@code tls}: whether plain connections are served on the same address too. */
    private final boolean plainToo;

    private HttpOrGrpcNegotiator(final CompletableFuture<HttpEndpoints> http, final boolean httpOnly, final TlsTermination tls,
        final boolean plainToo) {
        this.http = http;
        this.httpOnly = httpOnly;
        this.tls = tls;
        this.plainToo = plainToo;
    }

    /** A client URL: gRPC and HTTP/1.1 on one port, in plain text, served by {@code http} at once. */
    public static ServerCredentials clientPort(final HttpEndpoints http) {
        return clientPort(CompletableFuture.completedFuture(http), null, true);
    }

    /**
     * A client address: gRPC and HTTP/1.1 on one port, over TLS when {@code tls} is not null, and
     * then also in plain text if {@code plainToo} (an http and an https URL on one address). The
     * port may listen before the member serves: an HTTP request waits in its connection until
     * {@code http} is done.
     */
    public static ServerCredentials clientPort(final CompletableFuture<HttpEndpoints> http, final TlsTermination tls,
        final boolean plainToo) {
        return InternalNettyServerCredentials.create(new HttpOrGrpcNegotiator(http, false, tls, plainToo));
    }

    /** A --listen-metrics-urls address: HTTP/1.1 only, over TLS and waiting as {@link #clientPort} says. */
    public static ServerCredentials metricsPort(final CompletableFuture<HttpEndpoints> http, final TlsTermination tls,
        final boolean plainToo) {
        return InternalNettyServerCredentials.create(new HttpOrGrpcNegotiator(http, true, tls, plainToo));
    }

    @Override
    public AsciiString scheme() {
        return tls != null && !plainToo ? HTTPS : plaintext.scheme();
    }

    @Override
    public ChannelHandler newHandler(final GrpcHttp2ConnectionHandler grpcHandler) {
        final ChannelHandler grpc = httpOnly ? null : plaintext.newHandler(grpcHandler);
        if (tls == null || plainToo) {
            return new ProtocolSniffer(grpc, http, tls);
        }
        return new TlsHandshake(tls, () -> new ProtocolSniffer(grpc, http, null));
    }

    @Override
    public void close() {
        plaintext.close();
    }
}
