package io.cairn.raft;

import java.util.Objects;

/**
 * The application's state as of log entry {@code index} (whose term is {@code term}) and the membership in force
 * there. {@code data} is opaque to Raft.
 */
public record Snapshot(long index, long term, ConfState confState, byte[] data) {
    public static final Snapshot EMPTY = new Snapshot(0, 0, ConfState.EMPTY, new byte[0]);

    public Snapshot {
        assert index >= 0 && term >= 0 : "index " + index + " term " + term;
        Objects.requireNonNull(confState, "confState");
        Objects.requireNonNull(data, "data");
    }

    public boolean isEmpty() {
        return index == 0;
    }
}
