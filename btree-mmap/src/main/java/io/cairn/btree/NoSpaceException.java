package io.cairn.btree;

/**
 * The map (reserved address space) or the disk is full (the cause is then the
 * {@link io.cairn.posix.NoSpaceLeftException} of the call that found it). The write transaction that
 * hit it can only be aborted; the file keeps its last committed state. The engine turns this into
 * etcd's NOSPACE alarm.
 */
public final class NoSpaceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NoSpaceException(String message) {
        super(message);
    }

    public NoSpaceException(String message, Throwable cause) {
        super(message, cause);
    }
}
