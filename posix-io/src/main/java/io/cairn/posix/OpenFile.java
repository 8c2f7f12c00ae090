package io.cairn.posix;

import java.nio.file.Path;

/**
 * An open file descriptor with what it was opened as: the path names it in error messages, the flags
 * tell a fault layer whether each write is synced ({@link Posix#O_DSYNC}).
 *
 * @param descriptor the kernel's file descriptor
 * @param path       the absolute path it was opened by (not updated by a later rename)
 * @param flags      the open(2) flags
 */
public record OpenFile(int descriptor, Path path, int flags) {
    /** Whether each write returns only once durable (O_DSYNC, or O_SYNC which includes it). */
    public boolean syncsEachWrite() {
        return (flags & Posix.O_DSYNC) != 0;
    }
}
