package io.cairn.engine.auth;

/**
 * The applied result of an Authenticate for the member that proposed it: enough to hand the client
 * its token ({@link Tokens#tokenFor}).
 */
public record Authenticated(String username, long authRevision, String prefix, long index) {
}
