package io.cairn.engine.auth;

/**
 * What a client presents after Authenticate (--auth-token): etcd's "simple" tokens, kept in each
 * member's memory, or signed JWTs that any member can check alone.
 */
public sealed interface Tokens permits SimpleTokens, JwtTokens {
    /** The random part the member taking an Authenticate chooses before proposing it ("" for JWT). */
    String newPrefix();

    /**
     * On every member, once an Authenticate entry is applied: a simple token starts to work here
     * (it is {@code prefix + "." + index}, the entry's log index, as etcd makes it).
     */
    void issued(String username, String prefix, long index);

    /** The token to answer the client that authenticated (for JWT, signed here). */
    String tokenFor(String username, long authRevision, String prefix, long index);

    /** Who the token names and at which auth revision, or null when it is not valid (unknown, expired, forged). */
    AuthInfo info(String token, long currentRevision);

    /** The user's tokens stop working (deleted, or a new password). */
    void invalidateUser(String username);

    /** Auth was disabled: every simple token is forgotten, as etcd forgets them. */
    void disabled();

    /** Keeps this member's tokens in step with an applied auth entry. */
    default void hear(final AuthEvent event) {
        switch (event) {
            case AuthEvent.TokenIssued issued -> issued(issued.username(), issued.prefix(), issued.index());
            case AuthEvent.UserTokensRevoked revoked -> invalidateUser(revoked.username());
            case AuthEvent.Disabled disabled -> disabled();
        }
    }

    /** The tokens {@code settings} ask for. */
    static Tokens create(final TokenSettings settings) {
        return switch (settings) {
            case TokenSettings.Simple simple -> new SimpleTokens(simple.ttl().toNanos(), System::nanoTime);
            case TokenSettings.Jwt jwt -> JwtTokens.create(jwt, System::currentTimeMillis);
        };
    }
}
