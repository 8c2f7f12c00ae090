package io.cairn.posix;

/** The errno values callers tell apart (Linux's numbers), and how messages describe an errno. */
public final class Errno {
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EAGAIN = 11;
    public static final int EWOULDBLOCK = EAGAIN;
    public static final int EEXIST = 17;
    public static final int EXDEV = 18;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int EOPNOTSUPP = 95;
    public static final int EDQUOT = 122;

    private Errno() {
    }

    /** The symbolic name ("ENOSPC"), or "errno N" for one this class does not name. */
    public static String name(int errno) {
        return switch (errno) {
            case ENOENT -> "ENOENT";
            case EINTR -> "EINTR";
            case EIO -> "EIO";
            case EAGAIN -> "EAGAIN";
            case EEXIST -> "EEXIST";
            case EXDEV -> "EXDEV";
            case EISDIR -> "EISDIR";
            case EINVAL -> "EINVAL";
            case ENOSPC -> "ENOSPC";
            case EROFS -> "EROFS";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case EDQUOT -> "EDQUOT";
            default -> "errno " + errno;
        };
    }

    /** libc's text and the name: "No space left on device (ENOSPC, errno 28)". */
    public static String describe(int errno) {
        return NativePosix.strerror(errno) + " (" + name(errno) + ", errno " + errno + ")";
    }

    /** ENOSPC, or EDQUOT (the user's quota is full: the same remedy, from the operator's side). */
    public static boolean isNoSpace(int errno) {
        return errno == ENOSPC || errno == EDQUOT;
    }
}
