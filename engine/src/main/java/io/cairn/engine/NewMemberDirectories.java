package io.cairn.engine;

import io.cairn.posix.FileTrees;
import io.cairn.posix.OpenFile;
import io.cairn.posix.Posix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a new member's start creates, so that a start that fails takes it away again. etcd binds its
 * ports before it makes its data dir, so a port in use leaves nothing behind; Cairn opens its data
 * dir while its ports bind, and a failure after that (a port in use, a peer that refuses, a failed
 * corruption check) would leave a bootstrapped data dir: the next start would find a member there
 * and ignore the corrected {@code --initial-cluster}. A member that existed before the start is never
 * touched, whatever failed.
 */
final class NewMemberDirectories {
    private static final LinkOption[] NO_FOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final Path treeFile;
    /** What to delete after a failed start, outermost first: directories this start will have made. */
    private final List<Path> created;
    /** Directories that existed empty: this start fills them, a failed one empties them again. */
    private final List<Path> emptied;

    private NewMemberDirectories(final Path memberDir, final List<Path> created, final List<Path> emptied) {
        this.treeFile = memberDir.resolve("snap").resolve("db");
        this.created = created;
        this.emptied = emptied;
    }

    /** Looks at the data dir and WAL dir before the start makes anything. */
    static NewMemberDirectories before(final Path dataDir, final Path walDir) throws IOException {
        final Path memberDir = dataDir.resolve("member");
        final List<Path> created = new ArrayList<>();
        final List<Path> emptied = new ArrayList<>();
        if (Files.exists(memberDir, NO_FOLLOW)) {
            return new NewMemberDirectories(memberDir, List.of(), List.of()); // a member already: nothing is new
        }
        final Path dataCreated = outermostMissing(dataDir);
        created.add(dataCreated != null ? dataCreated : memberDir);
        final Path walCreated = outermostMissing(walDir);
        if (walCreated != null) {
            created.add(walCreated);
        } else if (isEmptyDirectory(walDir)) {
            emptied.add(walDir);
        }
        return new NewMemberDirectories(memberDir, List.copyOf(created), List.copyOf(emptied));
    }

    /** True when the data dir held no member before the start: the start bootstraps or joins one. */
    boolean newMember() {
        return !created.isEmpty();
    }

    /**
     * After a failed start, once the member's storage is closed: deletes what the start created, and
     * returns what it deleted. Nothing if the member existed before; nothing either if another
     * process holds the tree file's lock (two members started on one new data dir at once: the dir
     * is the other's).
     */
    List<Path> removeAfterFailedStart(final Posix posix) throws IOException {
        if (!newMember()) {
            return List.of();
        }
        OpenFile tree = null;
        try {
            if (Files.exists(treeFile, NO_FOLLOW)) {
                tree = posix.open(treeFile.toAbsolutePath(), Posix.O_RDWR | Posix.O_CLOEXEC, 0);
                if (!posix.tryLockExclusive(tree)) {
                    return List.of();
                }
            }
            final List<Path> removed = new ArrayList<>();
            for (final Path dir : created) {
                if (Files.exists(dir, NO_FOLLOW)) {
                    FileTrees.deleteIfPresent(dir);
                    removed.add(dir);
                }
            }
            for (final Path dir : emptied) {
                if (Files.isDirectory(dir, NO_FOLLOW) && !isEmptyDirectory(dir)) {
                    try (Stream<Path> children = Files.list(dir)) {
                        for (final Path child : children.toList()) {
                            FileTrees.deleteIfPresent(child);
                        }
                    }
                    removed.add(dir);
                }
            }
            return removed;
        } finally {
            if (tree != null) {
                posix.close(tree); // the lock goes with it, after the file's name did
            }
        }
    }

    /** The outermost directory of {@code dir}'s path that does not exist yet (a start makes it and all below); null if {@code dir} exists. */
    private static Path outermostMissing(final Path dir) {
        Path missing = null;
        for (Path path = dir.toAbsolutePath().normalize(); path != null && !Files.exists(path, NO_FOLLOW);
            path = path.getParent()) {
            missing = path;
        }
        return missing;
    }

    private static boolean isEmptyDirectory(final Path dir) throws IOException {
        if (!Files.isDirectory(dir, NO_FOLLOW)) {
            return false;
        }
        try (Stream<Path> children = Files.list(dir)) {
            return children.findAny().isEmpty();
        }
    }
}
