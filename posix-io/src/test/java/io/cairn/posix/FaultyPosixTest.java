package io.cairn.posix;

import static io.cairn.posix.RevertChoices.Fate.DROP;
import static io.cairn.posix.RevertChoices.Fate.KEEP;
import static io.cairn.posix.RevertChoices.Fate.TEAR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fault layer's model of a power cut, checked call by call with scripted choices, and its injected errors. */
class FaultyPosixTest {
    private static final int RW_CREATE = Posix.O_RDWR | Posix.O_CREAT | Posix.O_CLOEXEC;

    @TempDir
    Path dir;
    private Path data;
    private FaultyPosix posix;
    private final Arena arena = Arena.ofConfined();

    @BeforeEach
    void setUp() throws IOException {
        data = Files.createDirectory(dir.resolve("data"));
        posix = new FaultyPosix(NativePosix.INSTANCE, dir.resolve("stash"));
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    // ---- file contents

    @Test
    void aDroppedWriteGetsItsOldBytesAndSizeBack() throws Exception {
        Path file = syncedFile("f", filled(1000, 'a'));
        OpenFile f = posix.open(file, Posix.O_RDWR, 0);
        write(f, 500, filled(2500, 'b')); // overwrites the end and extends to 3000 bytes
        posix.cutPower();
        revert(new ScriptedChoices().writes(DROP));
        assertArrayEquals(filled(1000, 'a'), Files.readAllBytes(file));
    }

    @Test
    void aKeptWriteStays() throws Exception {
        Path file = syncedFile("f", filled(1000, 'a'));
        OpenFile f = posix.open(file, Posix.O_RDWR, 0);
        write(f, 500, filled(2500, 'b'));
        posix.cutPower();
        revert(new ScriptedChoices().writes(KEEP));
        byte[] expected = filled(3000, 'b');
        Arrays.fill(expected, 0, 500, (byte) 'a');
        assertArrayEquals(expected, Files.readAllBytes(file));
    }

    @Test
    void aTornWriteKeepsTheChosenSectorsOnly() throws Exception {
        Path file = syncedFile("f", filled(4096, 'a'));
        OpenFile f = posix.open(file, Posix.O_RDWR, 0);
        write(f, 0, filled(4096, 'b'));
        posix.cutPower();
        revert(new ScriptedChoices().writes(TEAR).sectors("10100110"));
        byte[] content = Files.readAllBytes(file);
        String mask = "10100110";
        for (int sector = 0; sector < 8; sector++) {
            byte expected = (byte) (mask.charAt(sector) == '1' ? 'b' : 'a');
            for (int i = sector * 512; i < (sector + 1) * 512; i++) {
                assertEquals(expected, content[i], "sector " + sector + " byte " + i);
            }
        }
    }

    @Test
    void aTornExtendingWriteEndsAtItsLastKeptSector() throws Exception {
        Path file = syncedFile("f", filled(512, 'a'));
        OpenFile f = posix.open(file, Posix.O_RDWR, 0);
        write(f, 512, filled(2048, 'b'));
        posix.cutPower();
        revert(new ScriptedChoices().writes(TEAR).sectors("0100"));
        byte[] expected = new byte[1536]; // sector 1 lost (zeros, as an unwritten block reads), 2 kept, 3 and 4 gone
        Arrays.fill(expected, 0, 512, (byte) 'a');
        Arrays.fill(expected, 1024, 1536, (byte) 'b');
        assertArrayEquals(expected, Files.readAllBytes(file));
    }

    @Test
    void anOlderDroppedWriteDoesNotUndoASectorANewerOneKept() throws Exception {
        Path file = syncedFile("f", filled(512, 'o'));
        OpenFile f = posix.open(file, Posix.O_RDWR, 0);
        write(f, 0, filled(512, 'A'));
        write(f, 0, filled(512, 'B'));
        posix.cutPower();
        revert(new ScriptedChoices().writes(KEEP, DROP)); // newest first: B kept, A dropped
        assertArrayEquals(filled(512, 'B'), Files.readAllBytes(file));
    }

    @Test
    void droppingTheNewerOfTwoWritesLeavesTheOlder() throws Exception {
        Path file = syncedFile("f", filled(512, 'o'));
        OpenFile f = posix.open(file, Posix.O_RDWR, 0);
        write(f, 0, filled(512, 'A'));
        write(f, 0, filled(512, 'B'));
        posix.cutPower();
        revert(new ScriptedChoices().writes(DROP, KEEP));
        assertArrayEquals(filled(512, 'A'), Files.readAllBytes(file));
    }

    @Test
    void fdatasyncMakesWritesBeforeItDurable() throws Exception {
        Path file = syncedFile("f", filled(512, 'o'));
        OpenFile f = posix.open(file, Posix.O_RDWR, 0);
        write(f, 0, filled(512, 'A'));
        posix.fdatasync(f);
        write(f, 512, filled(512, 'B'));
        assertEquals(1, posix.unsyncedChanges(file));
        posix.cutPower();
        revert(new ScriptedChoices().writes(DROP));
        assertArrayEquals(filled(512, 'A'), Files.readAllBytes(file));
    }

    @Test
    void oDsyncWritesAreDurableWhenTheyReturnAndShieldTheirSectors() throws Exception {
        Path file = syncedFile("f", filled(1024, 'o'));
        OpenFile buffered = posix.open(file, Posix.O_RDWR, 0);
        write(buffered, 0, filled(1024, 'A')); // unsynced
        OpenFile dsync = posix.open(file, Posix.O_WRONLY | Posix.O_DSYNC, 0);
        write(dsync, 0, filled(512, 'D')); // durable, over the first sector of the unsynced write
        posix.cutPower();
        revert(new ScriptedChoices().writes(DROP)); // only the buffered write is asked about
        byte[] expected = filled(1024, 'o');
        Arrays.fill(expected, 0, 512, (byte) 'D');
        assertArrayEquals(expected, Files.readAllBytes(file));
    }

    @Test
    void aFailedFdatasyncLosesItsPagesForGoodButLaterWritesCanBeSynced() throws Exception {
        Path file = syncedFile("f", filled(1024, 'o'));
        OpenFile f = posix.open(file, Posix.O_RDWR, 0);
        write(f, 0, filled(512, 'A'));
        Fault eio = posix.failNext(Call.FDATASYNC, p -> true, Errno.EIO, 1);
        assertThrows(PosixException.class, () -> posix.fdatasync(f));
        assertEquals(1, eio.hits());
        write(f, 512, filled(512, 'B'));
        posix.fdatasync(f); // succeeds, but the kernel already dropped A's pages (fsyncgate)
        posix.cutPower();
        revert(new ScriptedChoices().writes(DROP)); // B is synced: only A is asked about
        byte[] expected = filled(1024, 'o');
        Arrays.fill(expected, 512, 1024, (byte) 'B');
        assertArrayEquals(expected, Files.readAllBytes(file));
    }

    @Test
    void aDroppedAllocateTakesItsSizeBack() throws Exception {
        Path file = syncedFile("f", filled(100, 'a'));
        OpenFile f = posix.open(file, Posix.O_RDWR, 0);
        posix.allocate(f, 100, 1 << 20);
        assertEquals(100 + (1 << 20), Files.size(file));
        posix.cutPower();
        revert(new ScriptedChoices().resizes(false));
        assertArrayEquals(filled(100, 'a'), Files.readAllBytes(file));
    }

    @Test
    void aDroppedShrinkBringsTheCutBytesBack() throws Exception {
        Path file = syncedFile("f", filled(3000, 'a'));
        OpenFile f = posix.open(file, Posix.O_RDWR, 0);
        posix.truncate(f, 1000);
        posix.cutPower();
        revert(new ScriptedChoices().resizes(false));
        assertArrayEquals(filled(3000, 'a'), Files.readAllBytes(file));
    }

    // ---- directory entries

    @Test
    void aCreatedFileVanishesUnlessItsDirectoryWasSynced() throws Exception {
        Path file = data.resolve("new");
        OpenFile f = posix.open(file, RW_CREATE, 0644);
        write(f, 0, filled(100, 'x'));
        posix.fdatasync(f);
        posix.close(f);
        assertEquals(1, posix.unsyncedDirectoryOps());
        posix.cutPower();
        revert(new ScriptedChoices().directoryOps(false));
        assertFalse(Files.exists(file));
    }

    @Test
    void aCreatedFileInASyncedDirectoryStays() throws Exception {
        Path file = data.resolve("new");
        OpenFile f = posix.open(file, RW_CREATE, 0644);
        write(f, 0, filled(100, 'x'));
        posix.fdatasync(f);
        posix.fsyncDirectory(data);
        assertEquals(0, posix.unsyncedDirectoryOps());
        posix.close(f);
        posix.cutPower();
        revert(new ScriptedChoices());
        assertArrayEquals(filled(100, 'x'), Files.readAllBytes(file));
    }

    @Test
    void aDroppedUnlinkBringsTheFileBackAndAKeptOneLeavesNothingInTheStash() throws Exception {
        Path kept = syncedFile("kept", filled(100, 'k'));
        Path dropped = syncedFile("dropped", filled(100, 'd'));
        assertTrue(posix.unlink(kept));
        assertTrue(posix.unlink(dropped));
        assertFalse(posix.unlink(data.resolve("never-was")));
        assertFalse(Files.exists(kept) || Files.exists(dropped));
        posix.cutPower();
        revert(new ScriptedChoices().directoryOps(false, true)); // newest first: dropped's unlink, then kept's
        assertArrayEquals(filled(100, 'd'), Files.readAllBytes(dropped));
        assertFalse(Files.exists(kept));
        try (var stash = Files.list(dir.resolve("stash"))) {
            assertEquals(List.of(), stash.toList());
        }
    }

    @Test
    void aSyncedUnlinkIsFinal() throws Exception {
        Path file = syncedFile("f", filled(100, 'a'));
        posix.unlink(file);
        posix.fsyncDirectory(data);
        posix.cutPower();
        revert(new ScriptedChoices());
        assertFalse(Files.exists(file));
    }

    @Test
    void aDroppedRenameOverAFileRenamesBackAndRestoresTheReplacedOne() throws Exception {
        Path a = syncedFile("a", filled(100, 'a'));
        Path b = syncedFile("b", filled(200, 'b'));
        posix.rename(a, b);
        assertArrayEquals(filled(100, 'a'), Files.readAllBytes(b));
        posix.cutPower();
        revert(new ScriptedChoices().directoryOps(false));
        assertArrayEquals(filled(100, 'a'), Files.readAllBytes(a));
        assertArrayEquals(filled(200, 'b'), Files.readAllBytes(b));
    }

    @Test
    void aKeptRenameOverAFileIsFinal() throws Exception {
        Path a = syncedFile("a", filled(100, 'a'));
        Path b = syncedFile("b", filled(200, 'b'));
        posix.rename(a, b);
        posix.cutPower();
        revert(new ScriptedChoices().directoryOps(true));
        assertFalse(Files.exists(a));
        assertArrayEquals(filled(100, 'a'), Files.readAllBytes(b));
    }

    @Test
    void writesFollowTheFileAcrossARename() throws Exception {
        Path tmp = data.resolve("tmp");
        Path last = data.resolve("final");
        OpenFile f = posix.open(tmp, RW_CREATE, 0644);
        write(f, 0, filled(512, 'A'));
        posix.fdatasync(f);
        posix.rename(tmp, last);
        posix.fsyncDirectory(data);
        write(f, 512, filled(512, 'B')); // through the old descriptor: the same file, now named "final"
        posix.cutPower();
        revert(new ScriptedChoices().writes(DROP));
        assertArrayEquals(filled(512, 'A'), Files.readAllBytes(last));
        assertFalse(Files.exists(tmp));
    }

    @Test
    void aKeptRenameKeepsTheCreateItNeeds() throws Exception {
        Path tmp = data.resolve("tmp");
        Path last = data.resolve("final");
        OpenFile f = posix.open(tmp, RW_CREATE, 0644);
        write(f, 0, filled(100, 'x'));
        posix.fdatasync(f);
        posix.close(f);
        posix.rename(tmp, last);
        posix.cutPower();
        // Newest first: the rename is kept, so the create is kept without being asked.
        RevertReport report = revert(new ScriptedChoices().directoryOps(true));
        assertArrayEquals(filled(100, 'x'), Files.readAllBytes(last));
        assertTrue(report.lines().getLast().contains("needs it"), report.toString());
    }

    @Test
    void aDroppedMkdirTakesItsWholeTreeWithIt() throws Exception {
        Path sub = data.resolve("sub");
        assertTrue(posix.mkdir(sub));
        Path file = sub.resolve("f");
        OpenFile f = posix.open(file, RW_CREATE, 0644);
        write(f, 0, filled(10, 'x'));
        posix.fdatasync(f);
        posix.fsyncDirectory(sub); // the file's entry is durable, the directory's is not
        posix.close(f);
        posix.cutPower();
        revert(new ScriptedChoices().directoryOps(false));
        assertFalse(Files.exists(sub));
    }

    @Test
    void createDirectoriesMakesEachLevelDurable() throws Exception {
        Path deep = data.resolve("a").resolve("b");
        posix.createDirectories(deep);
        assertEquals(0, posix.unsyncedDirectoryOps());
        posix.cutPower();
        revert(new ScriptedChoices());
        assertTrue(Files.isDirectory(deep));
    }

    // ---- the cut itself

    @Test
    void afterTheCutMutatingCallsFailWhileReadsAndCloseWork() throws Exception {
        Path file = syncedFile("f", filled(512, 'a'));
        OpenFile f = posix.open(file, Posix.O_RDWR, 0);
        posix.cutPower();
        PosixException e = assertThrows(PosixException.class, () -> write(f, 0, filled(512, 'b')));
        assertEquals(Errno.EIO, e.errno());
        assertTrue(e.getMessage().contains("power is cut") && e.getMessage().contains(file.toString()), e.getMessage());
        assertThrows(PosixException.class, () -> posix.fdatasync(f));
        assertThrows(PosixException.class, () -> posix.open(data.resolve("new"), RW_CREATE, 0644));
        assertThrows(PosixException.class, () -> posix.unlink(file));
        MemorySegment buffer = arena.allocate(512);
        assertEquals(512, posix.pread(f, buffer, 0));
        posix.close(f);
        OpenFile again = posix.open(file, Posix.O_RDONLY, 0); // opening what exists is not a change
        posix.close(again);
    }

    @Test
    void theCallTheCutLandsInReachesTheDiskUnsyncedAndFails() throws Exception {
        Path file = syncedFile("f", filled(1024, 'a'));
        OpenFile f = posix.open(file, Posix.O_RDWR | Posix.O_DSYNC, 0);
        long before = posix.mutatingCalls();
        posix.cutPowerAfter(before + 2);
        write(f, 0, filled(512, 'b'));
        PosixException e = assertThrows(PosixException.class, () -> write(f, 512, filled(512, 'c')));
        assertTrue(e.getMessage().contains("power is cut"), e.getMessage());
        assertTrue(posix.isPowerCut());
        assertEquals('c', Files.readAllBytes(file)[512], "the cut call reached the file");
        revert(new ScriptedChoices().writes(DROP)); // only the cut call's write is unsynced, O_DSYNC or not
        byte[] expected = filled(1024, 'a');
        Arrays.fill(expected, 0, 512, (byte) 'b');
        assertArrayEquals(expected, Files.readAllBytes(file));
    }

    @Test
    void aCutNamedAfterItsCallHadPassedLandsOnTheNextCall() throws Exception {
        // The caller read mutatingCalls(), and other threads made calls before cutPowerAfter: the call
        // it named already ran. The cut lands on the next one, and the power counts as cut.
        Path file = syncedFile("f", filled(1024, 'a'));
        OpenFile f = posix.open(file, Posix.O_RDWR, 0);
        long named = posix.mutatingCalls() + 1;
        write(f, 0, filled(512, 'b'));
        posix.cutPowerAfter(named);
        PosixException e = assertThrows(PosixException.class, () -> write(f, 512, filled(512, 'c')));
        assertTrue(e.getMessage().contains("power is cut"), e.getMessage());
        assertTrue(posix.isPowerCut());
        assertEquals('a', Files.readAllBytes(file)[512], "a call after the cut never reaches the file");
        revert(new ScriptedChoices().writes(DROP));
        assertArrayEquals(filled(1024, 'a'), Files.readAllBytes(file));
    }

    @Test
    void revertRefusesBeforeTheCutAndWhileAMappingIsLive() throws Exception {
        Path file = syncedFile("f", filled(4096, 'a'));
        assertThrows(IllegalStateException.class, () -> posix.revertUnsynced(1));
        OpenFile f = posix.open(file, Posix.O_RDONLY, 0);
        MemorySegment map = posix.mapReadOnly(f, 4096);
        posix.cutPower();
        IllegalStateException mapped = assertThrows(IllegalStateException.class, () -> posix.revertUnsynced(1));
        assertTrue(mapped.getMessage().contains("SIGBUS"), mapped.getMessage());
        posix.unmap(f, map);
        posix.revertUnsynced(1);
        assertThrows(IllegalStateException.class, () -> posix.revertUnsynced(1));
    }

    @Test
    void aSeedMakesTheSameChoicesEveryTime() throws Exception {
        List<String> first = seededRun(dir.resolve("one").resolve("run"), 42);
        List<String> second = seededRun(dir.resolve("two").resolve("run"), 42);
        assertEquals(first, second);
        assertFalse(first.isEmpty());
    }

    private List<String> seededRun(Path root, long seed) throws Exception {
        Files.createDirectories(root);
        FaultyPosix layer = new FaultyPosix(NativePosix.INSTANCE, root.resolve("stash"));
        Path file = root.resolve("f");
        OpenFile f = layer.open(file, RW_CREATE, 0644);
        for (int i = 0; i < 20; i++) {
            MemorySegment bytes = arena.allocate(700);
            bytes.fill((byte) i);
            layer.pwriteFully(f, bytes, i * 300L);
        }
        layer.close(f);
        layer.cutPower();
        return layer.revertUnsynced(seed).lines();
    }

    // ---- injected errors

    @Test
    void injectedErrorsNameTheFileTheCallAndTheErrnoAndLeaveTheFileAlone() throws Exception {
        Path file = syncedFile("f", filled(512, 'a'));
        OpenFile f = posix.open(file, Posix.O_RDWR, 0);
        Fault full = posix.failNext(Call.PWRITE, p -> p.getFileName().toString().equals("f"), Errno.ENOSPC, 1);
        NoSpaceLeftException e = assertThrows(NoSpaceLeftException.class, () -> write(f, 0, filled(512, 'b')));
        assertEquals(Errno.ENOSPC, e.errno());
        assertEquals("pwrite", e.call());
        assertTrue(e.getMessage().contains("pwrite on " + file) && e.getMessage().contains("No space left on device"),
                e.getMessage());
        assertTrue(e.whatToDo().startsWith("free space on the filesystem holding " + file), e.whatToDo());
        assertArrayEquals(filled(512, 'a'), Files.readAllBytes(file));
        write(f, 0, filled(512, 'b')); // only once
        assertEquals(1, full.hits());
        assertFalse(full.active());
    }

    @Test
    void aStandingFaultHoldsUntilCleared() throws Exception {
        Path file = syncedFile("f", filled(512, 'a'));
        OpenFile f = posix.open(file, Posix.O_RDWR, 0);
        Fault growth = posix.failAlways(Call.FALLOCATE, p -> true, Errno.ENOSPC);
        for (int i = 0; i < 3; i++) {
            assertInstanceOf(NoSpaceLeftException.class,
                    assertThrows(PosixException.class, () -> posix.allocate(f, 0, 1 << 20)));
        }
        growth.clear();
        posix.allocate(f, 0, 1 << 20);
        assertEquals(3, growth.hits());
        Fault eio = posix.failAlways(Call.FDATASYNC, p -> true, Errno.EIO);
        assertThrows(PosixException.class, () -> posix.fdatasync(f));
        posix.clearFaults();
        posix.fdatasync(f);
        assertEquals(1, eio.hits());
    }

    @Test
    void aDelayedFdatasyncTakesAtLeastTheDelay() throws Exception {
        Path file = syncedFile("f", filled(512, 'a'));
        OpenFile f = posix.open(file, Posix.O_RDWR, 0);
        Fault slow = posix.delay(Call.FDATASYNC, p -> true, Duration.ofMillis(50));
        long start = System.nanoTime();
        posix.fdatasync(f);
        assertTrue(System.nanoTime() - start >= 50_000_000L);
        assertEquals(1, slow.hits());
    }

    // ---- helpers

    /** A file in {@code data} holding {@code content}, its bytes and its directory entry synced through the layer. */
    private Path syncedFile(String name, byte[] content) throws IOException {
        Path file = data.resolve(name);
        OpenFile f = posix.open(file, RW_CREATE, 0644);
        write(f, 0, content);
        posix.fdatasync(f);
        posix.close(f);
        posix.fsyncDirectory(data);
        return file;
    }

    private void write(OpenFile f, long offset, byte[] content) throws IOException {
        MemorySegment buffer = arena.allocate(content.length);
        MemorySegment.copy(content, 0, buffer, ValueLayout.JAVA_BYTE, 0, content.length);
        posix.pwriteFully(f, buffer, offset);
    }

    private RevertReport revert(ScriptedChoices choices) throws IOException {
        RevertReport report = posix.revert(choices, 0);
        choices.assertUsedUp();
        return report;
    }

    private static byte[] filled(int length, char c) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) c);
        return bytes;
    }
}
