package io.cairn.engine.server;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.auth.AuthInfo;
import io.cairn.engine.auth.Tokens;
import io.cairn.engine.node.KeyValueStore;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Who is calling, as etcd's AuthInfoFromCtx decides: the "token" metadata (or "authorization",
 * which the JSON gateway forwards), else the CN of the client's verified certificate (present only
 * with --client-cert-auth, see {@link ClientCertificates}), else nobody. The interceptor puts the
 * token into the gRPC context; {@link #current} must then be called on the thread that runs the
 * handler (the context is not carried to the scan threads or to futures' callbacks).
 */
public final class Callers implements ServerInterceptor {
    private static final Metadata.Key<String> TOKEN = Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> AUTHORIZATION =
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> TOKEN_IN_CONTEXT = Context.key("cairn-auth-token");

    private final KeyValueStore store;
    private final Tokens tokens;

    public Callers(final KeyValueStore store, final Tokens tokens) {
        this.store = store;
        this.tokens = tokens;
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
        if (token == null) {
            return next.startCall(call, headers);
        }
        return Contexts.interceptCall(Context.current().withValue(TOKEN_IN_CONTEXT, token), call, headers, next);
    }

    /** The token the call being handled on this thread carries, or null (to pass it on when forwarding the call). */
    static String currentToken() {
        return TOKEN_IN_CONTEXT.get();
    }

    /** Metadata carrying {@code token} as a client sends it. */
    static Metadata withToken(final String token) {
        final Metadata metadata = new Metadata();
        metadata.put(TOKEN, token);
        return metadata;
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
        final String commonName = ClientCertificates.commonName();
        return commonName == null ? AuthInfo.NONE : new AuthInfo(commonName, store.auth().revision());
    }
}
