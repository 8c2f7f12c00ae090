package io.cairn.engine.migrate.bolt;

import java.nio.file.Path;

/** A file that is not a readable bbolt database: the message names the file and what is wrong. */
public final class BoltFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public BoltFormatException(final Path file, final String problem) {
        super(file + ": " + problem);
    }
}
