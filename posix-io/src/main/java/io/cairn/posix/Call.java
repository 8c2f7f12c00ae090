package io.cairn.posix;

/** The calls {@link FaultyPosix} can fail or slow down; {@link #mutating()} ones also fail once the power is cut. */
public enum Call {
    /** Any open, creating or not. */
    OPEN("open", false),
    /** An open with O_CREAT that creates a new file (matched besides {@link #OPEN}). */
    CREATE("open(O_CREAT)", true),
    CLOSE("close", false),
    PREAD("pread", false),
    PWRITE("pwrite", true),
    PWRITEV("pwritev", true),
    FDATASYNC("fdatasync", true),
    FSYNC("fsync", true),
    /** {@link Posix#allocate}: how files grow. */
    FALLOCATE("fallocate", true),
    FTRUNCATE("ftruncate", true),
    PUNCH_HOLE("fallocate(PUNCH_HOLE)", true),
    MKDIR("mkdir", true),
    RENAME("rename", true),
    UNLINK("unlink", true),
    FSYNC_DIRECTORY("fsync of the directory", true);

    private final String libcName;
    private final boolean mutating;

    Call(String libcName, boolean mutating) {
        this.libcName = libcName;
        this.mutating = mutating;
    }

    /** How messages name the call. */
    public String libcName() {
        return libcName;
    }

    /** Whether it changes what is on disk (and so fails after a power cut). */
    public boolean mutating() {
        return mutating;
    }
}
