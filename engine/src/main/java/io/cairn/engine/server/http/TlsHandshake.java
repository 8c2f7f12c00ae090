package io.cairn.engine.server.http;

import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.InternalChannelz;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiationEvent;
import io.grpc.netty.shaded.io.grpc.netty.ProtocolNegotiationEvent;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.handler.codec.ByteToMessageDecoder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SSLSession;

/**
 * A TLS connection's first handler: puts an {@link SslHandler} before itself, waits for the
 * handshake, then hands the decrypted connection to a {@link ProtocolSniffer}, exactly as a plain
 * connection is handed. gRPC's "negotiation may start" event is held until then and passed on with
 * the TLS session among its attributes, so a call can read the client's certificate through
 * {@link Grpc#TRANSPORT_ATTR_SSL_SESSION} (see {@code server.ClientCertificates}). A failed handshake
 * (no certificate where one is required, one from an unknown CA, a client that does not trust
 * this member's certificate) is logged, as etcd logs "rejected connection", and the connection closed.
 */
final class TlsHandshake extends ByteToMessageDecoder {
    private static final System.Logger LOG = System.getLogger(TlsHandshake.class.getName());
    /** A plain-text client's bytes end up in the TLS stack's message; a log line needs only their start. */
    private static final int ERROR_CHARS_MAX = 160;

    private final TlsTermination tls;
    private final Supplier<ProtocolSniffer> next;
    private ProtocolNegotiationEvent negotiation;

    TlsHandshake(final TlsTermination tls, final Supplier<ProtocolSniffer> next) {
        this.tls = tls;
        this.next = next;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx) {
        ctx.pipeline().addBefore(ctx.name(), null, tls.newHandler());
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out) {
        // Bytes decrypted before the handshake event was seen wait here; they go to the sniffer
        // when this handler leaves (a decoder passes on what it has not read).
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object event) throws Exception {
        if (event instanceof ProtocolNegotiationEvent pending) {
            negotiation = pending;
        } else if (event instanceof SslHandshakeCompletionEvent handshake) {
            if (!handshake.isSuccess()) {
                final String error = String.valueOf(handshake.cause().getMessage());
                LOG.log(System.Logger.Level.WARNING, "rejected connection from " + ctx.channel().remoteAddress()
                    + " (error \"" + (error.length() > ERROR_CHARS_MAX ? error.substring(0, ERROR_CHARS_MAX) + "..."
                    : error) + "\")");
                ctx.close();
                return;
            }
            final SSLSession session = ctx.pipeline().get(SslHandler.class).engine().getSession();
            final ProtocolSniffer sniffer = next.get();
            // The replaced context forwards to its replacement, so the event below reaches the sniffer.
            ctx.pipeline().replace(this, null, sniffer);
            if (negotiation != null) {
                final Attributes attributes = InternalProtocolNegotiationEvent.getAttributes(negotiation).toBuilder()
                    .set(Grpc.TRANSPORT_ATTR_SSL_SESSION, session)
                    .build();
                ctx.fireUserEventTriggered(InternalProtocolNegotiationEvent.withSecurity(
                    InternalProtocolNegotiationEvent.withAttributes(negotiation, attributes),
                    new InternalChannelz.Security(new InternalChannelz.Tls(session))));
            }
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        // The handshake's failure arrives as the event above too; this only keeps the exception
        // from travelling on to handlers that were never meant to see this connection.
        LOG.log(System.Logger.Level.DEBUG, "TLS connection from " + ctx.channel().remoteAddress() + " failed: "
            + cause.getMessage());
        ctx.close();
    }
}
