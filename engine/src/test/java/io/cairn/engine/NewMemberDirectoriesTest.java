package io.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.posix.NativePosix;
import io.cairn.posix.OpenFile;
import io.cairn.posix.Posix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a failed start of a new member takes away again, and what it never touches. */
class NewMemberDirectoriesTest {
    private static final Posix POSIX = NativePosix.INSTANCE;

    @TempDir
    Path root;

    @Test
    void aMissingDataDirGoesWithEveryParentTheStartMade() throws IOException {
        final Path dataDir = root.resolve("a/b/data");
        final NewMemberDirectories dirs = NewMemberDirectories.before(dataDir, dataDir.resolve("member/wal"));
        assertTrue(dirs.newMember());
        startMakes(dataDir, dataDir.resolve("member/wal"));

        assertEquals(List.of(root.resolve("a")), dirs.removeAfterFailedStart(POSIX));
        assertFalse(Files.exists(root.resolve("a")));
        assertTrue(Files.isDirectory(root));
    }

    @Test
    void anEmptyDataDirAndWalDirThatExistedStayEmpty() throws IOException {
        final Path dataDir = Files.createDirectory(root.resolve("data"));
        final Path walDir = Files.createDirectory(root.resolve("wal"));
        final NewMemberDirectories dirs = NewMemberDirectories.before(dataDir, walDir);
        startMakes(dataDir, walDir);

        assertEquals(List.of(dataDir.resolve("member"), walDir), dirs.removeAfterFailedStart(POSIX));
        assertTrue(Files.isDirectory(dataDir));
        assertEquals(0, Files.list(dataDir).count());
        assertTrue(Files.isDirectory(walDir));
        assertEquals(0, Files.list(walDir).count());
    }

    @Test
    void aWalDirThatHeldFilesIsLeftAlone() throws IOException {
        final Path dataDir = root.resolve("data");
        final Path walDir = Files.createDirectory(root.resolve("wal"));
        Files.writeString(walDir.resolve("0000000000000000-0000000000000000.wal"), "someone's");
        final NewMemberDirectories dirs = NewMemberDirectories.before(dataDir, walDir);
        startMakes(dataDir, walDir);

        assertEquals(List.of(dataDir), dirs.removeAfterFailedStart(POSIX));
        assertTrue(Files.exists(walDir.resolve("0000000000000000-0000000000000000.wal")));
    }

    @Test
    void aMemberThatExistedIsNeverTouched() throws IOException {
        final Path dataDir = root.resolve("data");
        startMakes(dataDir, dataDir.resolve("member/wal"));
        final NewMemberDirectories dirs = NewMemberDirectories.before(dataDir, dataDir.resolve("member/wal"));
        assertFalse(dirs.newMember());

        assertEquals(List.of(), dirs.removeAfterFailedStart(POSIX));
        assertTrue(Files.exists(dataDir.resolve("member/snap/db")));
    }

    @Test
    void aTreeLockedByAnotherProcessMeansTheDirIsTheOthers() throws IOException {
        final Path dataDir = root.resolve("data");
        final NewMemberDirectories dirs = NewMemberDirectories.before(dataDir, dataDir.resolve("member/wal"));
        startMakes(dataDir, dataDir.resolve("member/wal")); // made by a member started at the same moment
        final OpenFile other = POSIX.open(dataDir.resolve("member/snap/db").toAbsolutePath(), Posix.O_RDWR, 0);
        try {
            assertTrue(POSIX.tryLockExclusive(other));
            assertEquals(List.of(), dirs.removeAfterFailedStart(POSIX));
            assertTrue(Files.exists(dataDir.resolve("member/snap/db")));
        } finally {
            POSIX.close(other);
        }
    }

    /** What a start makes: the tree file and a WAL segment. */
    private static void startMakes(final Path dataDir, final Path walDir) throws IOException {
        Files.createDirectories(dataDir.resolve("member/snap"));
        Files.writeString(dataDir.resolve("member/snap/db"), "tree");
        Files.createDirectories(walDir);
        Files.writeString(walDir.resolve("0000000000000001-0000000000000001.wal"), "entries");
    }
}
