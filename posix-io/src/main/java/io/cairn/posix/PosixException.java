package io.cairn.posix;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A failed libc call: which call, on which path, and errno. The message names all three, e.g.
 * {@code "fdatasync on /var/lib/cairn/member/snap/db failed: Input/output error (EIO, errno 5)"};
 * {@link #whatToDo()} says what an operator can do about that errno, for callers to add to their own
 * message (which knows what happens next).
 */
public class PosixException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String call;
    private final transient Path path;

    PosixException(int errno, String call, Path path, String detail) {
        super(call + " on " + path + " failed: " + Errno.describe(errno) + (detail.isEmpty() ? "" : " (" + detail + ")"));
        this.errno = errno;
        this.call = call;
        this.path = path;
    }

    /** The exception for {@code errno}: a {@link NoSpaceLeftException} for ENOSPC and EDQUOT. */
    public static PosixException of(int errno, String call, Path path) {
        return of(errno, call, path, "");
    }

    /** As {@link #of(int, String, Path)}, with {@code detail} in parentheses at the end of the message. */
    public static PosixException of(int errno, String call, Path path, String detail) {
        return Errno.isNoSpace(errno) ? new NoSpaceLeftException(errno, call, path, detail)
                : new PosixException(errno, call, path, detail);
    }

    public int errno() {
        return errno;
    }

    /** The libc call, e.g. "pwritev", "fallocate", "open(O_DIRECT)". */
    public String call() {
        return call;
    }

    public Path path() {
        return path;
    }

    /** What an operator can do about this errno, phrased to follow a semicolon; "" when nothing general applies. */
    public String whatToDo() {
        return switch (errno) {
            case Errno.ENOSPC, Errno.EDQUOT -> "free space on the filesystem holding " + path
                    + (errno == Errno.EDQUOT ? " (or raise the quota)" : "");
            case Errno.EIO -> "the device holding " + path + " reported an I/O error: check it (kernel log, SMART)"
                    + " before trusting the data on it";
            case Errno.EROFS -> "the filesystem holding " + path + " is read-only: remount it read-write";
            default -> "";
        };
    }
}
