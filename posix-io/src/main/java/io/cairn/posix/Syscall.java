package io.cairn.posix;

/**
 * The Linux system calls the project makes, with their numbers on the two architectures it runs on
 * (x86_64: {@code arch/x86/entry/syscalls/syscall_64.tbl}; aarch64: {@code include/uapi/asm-generic/unistd.h}).
 *
 * <p>Why numbers and not libc's wrappers: every call then goes through glibc's {@code syscall(2)}
 * with one argument shape, and the JVM builds one downcall stub for all of them instead of one per
 * function shape (fifteen), each of which took 6-30 ms of a member's start (issue #21, posix-io/README.md).
 * Only the "at" forms exist on aarch64, so both architectures use them: {@code openat},
 * {@code mkdirat}, {@code unlinkat} and {@code renameat2} relative to the working directory.
 */
enum Syscall {
    OPENAT(257, 56),
    CLOSE(3, 57),
    LSEEK(8, 62),
    PREAD64(17, 67),
    PWRITE64(18, 68),
    PWRITEV(296, 70),
    FSYNC(74, 82),
    FDATASYNC(75, 83),
    FLOCK(73, 32),
    FTRUNCATE(77, 46),
    FALLOCATE(285, 47),
    MMAP(9, 222),
    MUNMAP(11, 215),
    MADVISE(28, 233),
    MKDIRAT(258, 34),
    UNLINKAT(263, 35),
    RENAMEAT2(316, 276),
    SOCKET(41, 198),
    BIND(49, 200),
    SENDTO(44, 206),
    RECVFROM(45, 207),
    SETSOCKOPT(54, 208),
    SETPRIORITY(141, 140),
    IO_SETUP(206, 0),
    IO_DESTROY(207, 1),
    IO_GETEVENTS(208, 4),
    IO_SUBMIT(209, 2);

    /** The "at" calls' directory argument meaning "relative to the working directory", as a plain call is. */
    static final long AT_FDCWD = -100;

    private static final boolean AARCH64 = isAarch64(System.getProperty("os.arch"));

    final long x86_64;
    final long aarch64;

    Syscall(final long x86_64, final long aarch64) {
        this.x86_64 = x86_64;
        this.aarch64 = aarch64;
    }

    /** This call's number on the running machine. */
    long number() {
        return AARCH64 ? aarch64 : x86_64;
    }

    /** x86_64 or aarch64 (the JDK's names for them); anything else has no table here. */
    static boolean isAarch64(final String osArch) {
        return switch (osArch) {
            case "amd64", "x86_64" -> false;
            case "aarch64" -> true;
            default -> throw new UnsupportedOperationException("no system call numbers for the architecture " + osArch
                + " (Cairn runs on x86_64 and aarch64 Linux)");
        };
    }
}
