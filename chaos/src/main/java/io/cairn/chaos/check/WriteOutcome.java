package io.cairn.chaos.check;

/** What the client learnt about a write. */
public enum WriteOutcome {
    /** Answered with success: it took effect, at the revision its answer named. */
    ACKNOWLEDGED,
    /**
     * Refused before it could have been proposed (no leader, bad request, lease not found): it
     * certainly never took effect.
     */
    FAILED,
    /**
     * Timed out or lost its connection after it may have been proposed: it took effect once, at
     * some revision after it was sent, or never.
     */
    INDETERMINATE
}
