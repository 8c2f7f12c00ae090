package io.cairn.wal;

import java.io.IOException;

/**
 * An append was refused because the log had to move to its next segment and none was prepared in
 * time (usually: the disk is full and the preparer is waiting for space). Unlike other append
 * failures this one is not the log's end: nothing of the refused appends (nor of those queued after
 * them) was written, the log ends where it did before them, and it takes appends again, from its
 * last durable index + 1, once the next segment is ready.
 */
public final class NoSpareSegmentException extends IOException {
    private static final long serialVersionUID = 1L;

    NoSpareSegmentException(String message, Throwable cause) {
        super(message, cause);
    }
}
