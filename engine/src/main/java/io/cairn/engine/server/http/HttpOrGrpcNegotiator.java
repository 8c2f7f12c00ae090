package io.cairn.engine.server.http;

import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalNettyServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.util.AsciiString;

/**
 * gRPC's hook into a new connection's pipeline (its "protocol negotiator"), used to put a {@link
 * ProtocolSniffer} first, as etcd's cmux does on its client port. grpc-java marks this API
 * internal; it is the only place Cairn uses it, and a grpc upgrade that changes it fails to
 * compile here rather than at run time.
 */
public final class HttpOrGrpcNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {
    private final InternalProtocolNegotiator.ProtocolNegotiator plaintext = InternalProtocolNegotiators.serverPlaintext();
    private final HttpEndpoints http;
    private final boolean httpOnly;

    private HttpOrGrpcNegotiator(final HttpEndpoints http, final boolean httpOnly) {
        this.http = http;
        this.httpOnly = httpOnly;
    }

    /** A client URL: gRPC and HTTP/1.1 on one port. */
    public static ServerCredentials clientPort(final HttpEndpoints http) {
        return InternalNettyServerCredentials.create(new HttpOrGrpcNegotiator(http, false));
    }

    /** A --listen-metrics-urls port: HTTP/1.1 only. */
    public static ServerCredentials metricsPort(final HttpEndpoints http) {
        return InternalNettyServerCredentials.create(new HttpOrGrpcNegotiator(http, true));
    }

    @Override
    public AsciiString scheme() {
        return plaintext.scheme();
    }

    @Override
    public ChannelHandler newHandler(final GrpcHttp2ConnectionHandler grpcHandler) {
        return new ProtocolSniffer(httpOnly ? null : plaintext.newHandler(grpcHandler), http);
    }

    @Override
    public void close() {
        plaintext.close();
    }
}
