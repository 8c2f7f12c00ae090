package io.cairn.raft;

import java.io.Serial;

/**
 * This node cannot take the request because it is not the leader and will not forward it: either no leader is known
 * ({@link #leaderId()} is 0) or forwarding is disabled and the client should retry at {@link #leaderId()}.
 */
public final class NotLeaderException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final long leaderId;

    public NotLeaderException(final long leaderId) {
        super(leaderId == 0 ? "not leader; no leader known" : "not leader; leader is " + leaderId, null, false, false);
        this.leaderId = leaderId;
    }

    /** The leader this node knows of, 0 when none. */
    public long leaderId() {
        return leaderId;
    }
}
