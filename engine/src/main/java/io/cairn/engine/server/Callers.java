package io.cairn.engine.server;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.auth.AuthInfo;
import io.cairn.engine.auth.Tokens;
import io.cairn.engine.node.KeyValueStore;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Who is calling, as etcd's AuthInfoFromCtx decides: the "token" metadata (or "authorization",
 * which the JSON gateway forwards), else, with --client-cert-auth, the CN of the client's verified
 * certificate; else nobody. The interceptor puts what the call carries into the gRPC context;
 * {@link #current} must then be called on the thread that runs the handler (the context is not
 * carried to the scan threads or to futures' callbacks).
 */
public final class Callers implements ServerInterceptor {
    private static final Metadata.Key<String> TOKEN = Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> AUTHORIZATION =
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> TOKEN_IN_CONTEXT = Context.key("cairn-auth-token");
    private static final Context.Key<String> COMMON_NAME_IN_CONTEXT = Context.key("cairn-client-cn");

    private final KeyValueStore store;
    private final Tokens tokens;
    private final boolean clientCertAuth;

    public Callers(final KeyValueStore store, final Tokens tokens, final boolean clientCertAuth) {
        this.store = store;
        this.tokens = tokens;
        this.clientCertAuth = clientCertAuth;
    }

    public Tokens tokens() {
        return tokens;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(final ServerCall<Q, A> call, final Metadata headers,
        final ServerCallHandler<Q, A> next) {
        String token = headers.get(TOKEN);
        if (token == null) {
            token = headers.get(AUTHORIZATION);
        }
        final String commonName = clientCertAuth ? commonName(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION))
            : null;
        if (token == null && commonName == null) {
            return next.startCall(call, headers);
        }
        final Context context = Context.current().withValues(TOKEN_IN_CONTEXT, token, COMMON_NAME_IN_CONTEXT, commonName);
        return Contexts.interceptCall(context, call, headers, next);
    }

    /**
     * The caller of the call being handled on this thread: AuthInfo.NONE without credentials;
     * INVALID_AUTH_TOKEN for a token this member does not know (unknown, expired, forged).
     */
    public AuthInfo current() {
        final String token = TOKEN_IN_CONTEXT.get();
        if (token != null) {
            final AuthInfo info = tokens.info(token, store.auth().revision());
            if (info == null) {
                throw new EtcdException(EtcdError.INVALID_AUTH_TOKEN);
            }
            return info;
        }
        final String commonName = COMMON_NAME_IN_CONTEXT.get();
        return commonName == null ? AuthInfo.NONE : new AuthInfo(commonName, store.auth().revision());
    }

    /** The CN of the verified client certificate of a TLS call, or null. */
    static String commonName(final SSLSession session) {
        if (session == null) {
            return null;
        }
        try {
            final Certificate[] chain = session.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                return null;
            }
            for (final Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType())) {
                    return rdn.getValue().toString();
                }
            }
            return null;
        } catch (final SSLPeerUnverifiedException | InvalidNameException noVerifiedName) {
            return null;
        }
    }
}
