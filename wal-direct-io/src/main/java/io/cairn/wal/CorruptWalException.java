package io.cairn.wal;

import java.io.IOException;

/**
 * The log on disk is damaged in a way recovery must not paper over: a bad record that valid records
 * follow, a missing or renamed segment, a segment from another log. The message names file and offset.
 */
public final class CorruptWalException extends IOException {
    private static final long serialVersionUID = 1L;

    public CorruptWalException(String message) {
        super(message);
    }
}
