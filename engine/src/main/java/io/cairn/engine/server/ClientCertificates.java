package io.cairn.engine.server;

import io.cairn.engine.tls.CommonNames;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The common name (CN) of the client's verified certificate, for auth: etcd 3.4 takes it as the
 * user name of a request without a token when --client-cert-auth is on. This interceptor puts it
 * in each call's gRPC {@link Context}; {@link #commonName()} reads it in the handler (on the
 * calling thread: capture it before continuing on another). {@code CairnServer} installs it only
 * with --client-cert-auth, so without the flag there is never a CN, as in etcd.
 *
 * <p>Only a verified certificate has a CN here: a TLS session holds the client's certificates
 * only when the handshake required and verified them. Calls through the JSON gateway arrive over
 * the in-process transport without a TLS session, so they have no CN, which is etcd's rule too (it
 * ignores the CN of gateway requests).
 */
public final class ClientCertificates implements ServerInterceptor {
    private static final Context.Key<String> COMMON_NAME = Context.key("cairn-client-certificate-cn");
    /** Computed once per TLS session (a connection), not per call. */
    private static final String SESSION_VALUE = "cairn.client-certificate-cn";

    /** The CN of the current call's client certificate; null without one (or with an empty CN). */
    public static String commonName() {
        return COMMON_NAME.get();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(final ServerCall<Q, R> call, final Metadata headers,
        final ServerCallHandler<Q, R> next) {
        final String commonName = commonName(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        if (commonName == null) {
            return next.startCall(call, headers);
        }
        return Contexts.interceptCall(Context.current().withValue(COMMON_NAME, commonName), call, headers, next);
    }

    private static String commonName(final SSLSession session) {
        if (session == null) {
            return null;
        }
        if (session.getValue(SESSION_VALUE) instanceof String cached) {
            return cached.isEmpty() ? null : cached;
        }
        String commonName = "";
        try {
            final Certificate[] chain = session.getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
                commonName = CommonNames.of(leaf);
            }
        } catch (final SSLPeerUnverifiedException noCertificate) {
            // no client certificate: no CN
        }
        session.putValue(SESSION_VALUE, commonName);
        return commonName.isEmpty() ? null : commonName;
    }
}
