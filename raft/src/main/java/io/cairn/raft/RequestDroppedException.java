package io.cairn.raft;

import java.io.Serial;

/** The leader refused a proposal or read (transfer in progress, a queue bound reached, an invalid conf change). */
public final class RequestDroppedException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public RequestDroppedException(final String reason) {
        super(reason, null, false, false);
    }
}
