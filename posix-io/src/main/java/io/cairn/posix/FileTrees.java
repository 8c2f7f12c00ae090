package io.cairn.posix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Plain Java file-tree housekeeping for the fault layer and its trials (not through {@link Posix}: no faults apply). */
public final class FileTrees {
    private FileTrees() {
    }

    /** Deletes {@code root} and everything under it, if it exists; symbolic links are deleted, not followed. */
    public static void deleteIfPresent(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
