package io.cairn.engine.server.http;

import io.grpc.netty.shaded.io.grpc.netty.ProtocolNegotiationEvent;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The first handler of a client connection: waits for enough bytes to tell an HTTP/2 client
 * (gRPC, which opens with the fixed connection preface) from an HTTP/1.1 one, then puts the
 * matching handlers in its place and leaves. The bytes read so far go on to them (the decoder
 * hands its unread bytes to the next handler when removed), so neither side misses any.
 * The gRPC handlers join only once the connection is known to be gRPC: the HTTP/2 server would
 * otherwise greet an HTTP/1.1 client with a SETTINGS frame. gRPC's transport starts them with a
 * {@link ProtocolNegotiationEvent} when the connection opens; it is held here and passed on when
 * they join. On an address that serves both http and https URLs, a first byte 22 (a TLS handshake
 * record, which no HTTP request starts with) hands the connection to {@link TlsHandshake}, which
 * sniffs again once decrypted, as etcd's cmux does. An HTTP/1.1 connection that comes before the
 * member serves waits here, its bytes kept and no more read, until the HTTP endpoints exist.
 */
final class ProtocolSniffer extends ByteToMessageDecoder {
    /** RFC 9113 section 3.4: what every HTTP/2 client sends first. */
    private static final byte[] HTTP2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** The first byte of a TLS record carrying a handshake message (RFC 8446 section 5.1). */
    private static final byte TLS_HANDSHAKE_RECORD = 22;

    private final ChannelHandler grpc;
    private final CompletableFuture<HttpEndpoints> http;
    /** Null: no TLS on this address (or TLS already done). */
    private final TlsTermination tls;
    /** gRPC's "negotiation may start" event, held back from its handlers until they join. */
    private ProtocolNegotiationEvent negotiation;
    /** An HTTP/1.1 connection waiting for the member to serve; its bytes stay in this decoder. */
    private boolean waitingForHttp;

    /**
     * {@code grpc} null: HTTP only (a metrics URL). {@code tls} not null: TLS connections are
     * accepted too, and sniffed again once decrypted.
     */
    ProtocolSniffer(final ChannelHandler grpc, final CompletableFuture<HttpEndpoints> http, final TlsTermination tls) {
        this.grpc = grpc;
        this.http = http;
        this.tls = tls;
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out) {
        if (waitingForHttp) {
            return;
        }
        if (tls != null && in.getByte(in.readerIndex()) == TLS_HANDSHAKE_RECORD) {
            final TlsHandshake handshake = new TlsHandshake(tls, () -> new ProtocolSniffer(grpc, http, null));
            ctx.pipeline().addAfter(ctx.name(), null, handshake);
            if (negotiation != null) {
                ctx.fireUserEventTriggered(negotiation);
            }
            ctx.pipeline().remove(this);
        } else if (grpc == null || !matchesPrefaceSoFar(in)) {
            if (http.isDone()) {
                handToHttp(ctx, http.join());
            } else {
                waitingForHttp = true;
                ctx.channel().config().setAutoRead(false);
                http.thenAcceptAsync(served -> {
                    if (!ctx.isRemoved()) {
                        handToHttp(ctx, served);
                        ctx.channel().config().setAutoRead(true);
                    }
                }, ctx.executor());
            }
        } else if (in.readableBytes() >= HTTP2_PREFACE.length) {
            ctx.pipeline().addAfter(ctx.name(), null, grpc);
            if (negotiation != null) {
                ctx.fireUserEventTriggered(negotiation);
            }
            ctx.pipeline().remove(this);
        }
        // else: a prefix of the preface so far; wait for more
    }

    /** Leaves the connection to the HTTP handlers, with the bytes read so far. */
    private void handToHttp(final ChannelHandlerContext ctx, final HttpEndpoints endpoints) {
        endpoints.addAfter(ctx.pipeline(), ctx.name());
        ctx.pipeline().remove(this);
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object event) throws Exception {
        if (event instanceof ProtocolNegotiationEvent pending) {
            negotiation = pending;
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    private static boolean matchesPrefaceSoFar(final ByteBuf in) {
        final int length = Math.min(in.readableBytes(), HTTP2_PREFACE.length);
        for (int i = 0; i < length; i++) {
            if (in.getByte(in.readerIndex() + i) != HTTP2_PREFACE[i]) {
                return false;
            }
        }
        return true;
    }
}
