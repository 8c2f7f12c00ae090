package io.cairn.posix;

import java.nio.file.Path;

/**
 * ENOSPC (or EDQUOT): the filesystem is full. A type of its own because callers treat it apart from
 * other errors: it passes once space is freed, where EIO does not.
 */
public final class NoSpaceLeftException extends PosixException {
    private static final long serialVersionUID = 1L;

    NoSpaceLeftException(int errno, String call, Path path, String detail) {
        super(errno, call, path, detail);
    }
}
