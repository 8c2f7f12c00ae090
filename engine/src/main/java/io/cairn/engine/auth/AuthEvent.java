package io.cairn.engine.auth;

/**
 * What an applied auth entry means for the tokens a member keeps in memory; told to every member
 * after the entry's batch commits (never for a batch rolled back).
 */
public sealed interface AuthEvent {
    /** A user authenticated: simple token {@code prefix + "." + index} now works on this member. */
    record TokenIssued(String username, String prefix, long index) implements AuthEvent {
    }

    /** The user was deleted or got a new password: its tokens stop working. */
    record UserTokensRevoked(String username) implements AuthEvent {
    }

    /** Auth was turned off: every simple token is forgotten. */
    record Disabled() implements AuthEvent {
    }
}
