package io.cairn.engine.server.http;

import io.cairn.engine.tls.TlsContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import java.util.List;
import javax.net.ssl.SSLEngine;

/**
 * TLS on a client port, over Netty's {@link SslHandler} (grpc-netty-shaded's own, the one its
 * servers use) and the JDK's TLS engine: no native library. The protocol on top is told by its
 * first bytes, as on a plain port ({@link ProtocolSniffer}), not by ALPN; ALPN only has to let
 * both kinds of client through. etcd offers only "h2" and serves HTTP/1.1 requests inside HTTP/2;
 * here the HTTP endpoints speak HTTP/1.1, so a client that offers it (curl, browsers, Go's and
 * Java's HTTP clients offer both) gets it, and one that offers only "h2" (every gRPC client) gets
 * h2. A client that offers neither gets no ALPN answer and is sniffed like the rest.
 */
public final class TlsTermination {
    private static final String HTTP_1_1 = "http/1.1";
    private static final String H2 = "h2";

    private final TlsContext tls;

    public TlsTermination(final TlsContext tls) {
        this.tls = tls;
    }

    /** A server-side handler for one new connection. */
    SslHandler newHandler() {
        final SSLEngine engine = tls.sslContext().createSSLEngine();
        engine.setUseClientMode(false);
        engine.setHandshakeApplicationProtocolSelector((ignored, offered) -> select(offered));
        return new SslHandler(engine);
    }

    static String select(final List<String> offered) {
        if (offered.contains(HTTP_1_1)) {
            return HTTP_1_1;
        }
        // "" (no ALPN) rather than null, which would end the handshake with no_application_protocol.
        return offered.contains(H2) ? H2 : "";
    }
}
