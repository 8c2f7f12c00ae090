package io.cairn.posix;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A directory entry created, renamed or removed since the directories holding it were last fsynced,
 * with what undoing it takes. Guarded by {@link FaultyPosix}'s namespace lock.
 */
final class DirectoryOp {
    enum Kind { CREATE, MKDIR, RENAME, UNLINK }

    final long sequence;
    final Kind kind;
    /** CREATE, MKDIR, UNLINK: the name; RENAME: the old name. */
    final Path path;
    /** RENAME: the new name; otherwise null. */
    final Path target;
    /** The file the entry names (null for MKDIR). */
    final TrackedFile file;
    /** UNLINK: where the file waits; RENAME over an existing file: a link to the replaced one; else null. */
    final Path stash;
    /** RENAME over an existing file: that file; else null. */
    final TrackedFile replaced;
    /** The directories whose fsync this still waits for (both, for a rename between two). */
    final Set<Path> unsyncedDirectories = new HashSet<>();

    private DirectoryOp(long sequence, Kind kind, Path path, Path target, TrackedFile file, Path stash,
                        TrackedFile replaced) {
        this.sequence = sequence;
        this.kind = kind;
        this.path = path;
        this.target = target;
        this.file = file;
        this.stash = stash;
        this.replaced = replaced;
        unsyncedDirectories.add(path.getParent());
        if (target != null) {
            unsyncedDirectories.add(target.getParent());
        }
    }

    static DirectoryOp create(long sequence, Path path, TrackedFile file) {
        return new DirectoryOp(sequence, Kind.CREATE, path, null, file, null, null);
    }

    static DirectoryOp mkdir(long sequence, Path path) {
        return new DirectoryOp(sequence, Kind.MKDIR, path, null, null, null, null);
    }

    static DirectoryOp rename(long sequence, Path from, Path to, TrackedFile file, Path replacedStash,
                              TrackedFile replaced) {
        return new DirectoryOp(sequence, Kind.RENAME, from, to, file, replacedStash, replaced);
    }

    static DirectoryOp unlink(long sequence, Path path, TrackedFile file, Path stash) {
        return new DirectoryOp(sequence, Kind.UNLINK, path, null, file, stash, null);
    }

    /**
     * Whether this (newer) operation could not have reached the disk without {@code older}: they name
     * the same entry or the same file, or {@code older} made a directory this one's entry lies in. A
     * kept operation keeps every one it needs, so a revert never leaves a state no disk could hold
     * (a renamed file whose creation was lost).
     */
    boolean needs(DirectoryOp older) {
        if (file != null && (file == older.file || file == older.replaced)
                || replaced != null && (replaced == older.file || replaced == older.replaced)) {
            return true;
        }
        for (Path name : names()) {
            for (Path olderName : older.names()) {
                if (name.equals(olderName)) {
                    return true;
                }
                if (older.kind == Kind.MKDIR && name.startsWith(olderName)) {
                    return true;
                }
            }
        }
        return false;
    }

    private List<Path> names() {
        return target == null ? List.of(path) : List.of(path, target);
    }

    /** Undoes the operation on the real disk; every newer operation is already undone or kept. */
    void undo(Posix disk) throws IOException {
        switch (kind) {
            case CREATE -> disk.unlink(path);
            case MKDIR -> FileTrees.deleteIfPresent(path);
            case RENAME -> {
                disk.rename(target, path);
                if (stash != null) {
                    disk.rename(stash, target);
                    replaced.path = target;
                }
                file.path = path;
            }
            case UNLINK -> {
                disk.rename(stash, path);
                file.path = path;
            }
        }
    }

    /** After a kept unlink or replacing rename, the stashed file is gone for good. */
    void forget(Posix disk) throws IOException {
        if (stash != null) {
            disk.unlink(stash);
            (kind == Kind.UNLINK ? file : replaced).gone = true;
        }
    }

    String describe() {
        String dir = path.getParent().getFileName() + "/";
        return switch (kind) {
            case CREATE -> dir + ": create " + path.getFileName();
            case MKDIR -> dir + ": mkdir " + path.getFileName();
            case RENAME -> dir + ": rename " + path.getFileName() + " to " + target
                    + (stash != null ? " (replacing a file)" : "");
            case UNLINK -> dir + ": unlink " + path.getFileName();
        };
    }
}
