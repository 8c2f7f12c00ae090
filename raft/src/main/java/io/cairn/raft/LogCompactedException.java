package io.cairn.raft;

import java.io.Serial;

/** Entries were asked for below the first index the log still holds: they are only in the snapshot now. */
public final class LogCompactedException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public LogCompactedException(final long index, final long firstIndex) {
        super("index " + index + " is compacted; log starts at " + firstIndex, null, false, false);
    }
}
