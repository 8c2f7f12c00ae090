package io.cairn.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** libc through the seam: results, errors that name errno, call and path, and errno kept apart per thread. */
class NativePosixTest {
    private final Posix posix = NativePosix.INSTANCE;

    @TempDir
    Path dir;

    @Test
    void writesReadsAndGrowsAFile() throws Exception {
        Path file = dir.resolve("f");
        OpenFile f = posix.open(file, Posix.O_RDWR | Posix.O_CREAT | Posix.O_CLOEXEC, 0644);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocateFrom("hello, disk");
            posix.pwriteFully(f, out, 10);
            posix.fdatasync(f);
            assertEquals(10 + out.byteSize(), posix.sizeBytes(f));
            MemorySegment in = arena.allocate(out.byteSize());
            assertEquals(out.byteSize(), posix.preadFully(f, in, 10));
            assertEquals("hello, disk", in.getString(0));
            posix.allocate(f, 0, 1 << 20);
            assertEquals(1 << 20, posix.sizeBytes(f));
            assertEquals(0, posix.preadFully(f, in, 1 << 20), "nothing to read at the end");
            posix.truncate(f, 5);
            assertEquals(5, Files.size(file));
            assertTrue(posix.tryLockExclusive(f));
        } finally {
            posix.close(f);
        }
    }

    @Test
    void failuresNameErrnoCallAndPath() {
        Path missing = dir.resolve("missing");
        PosixException e = assertThrows(PosixException.class, () -> posix.open(missing, Posix.O_RDONLY, 0));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("open", e.call());
        assertEquals(missing, e.path());
        assertEquals("open on " + missing + " failed: No such file or directory (ENOENT, errno 2)", e.getMessage());
        PosixException rename = assertThrows(PosixException.class, () -> posix.rename(missing, dir.resolve("x")));
        assertTrue(rename.getMessage().startsWith("rename to " + dir.resolve("x") + " on " + missing), rename.getMessage());
    }

    @Test
    void noSpaceHasATypeOfItsOwn() {
        assertTrue(PosixException.of(Errno.ENOSPC, "pwrite", dir) instanceof NoSpaceLeftException);
        assertTrue(PosixException.of(Errno.EDQUOT, "pwrite", dir) instanceof NoSpaceLeftException);
        assertFalse(PosixException.of(Errno.EIO, "pwrite", dir) instanceof NoSpaceLeftException);
    }

    @Test
    void directoryEntries() throws Exception {
        Path deep = dir.resolve("a").resolve("b");
        posix.createDirectories(deep);
        assertTrue(Files.isDirectory(deep));
        assertFalse(posix.mkdir(deep), "exists already");
        Path file = deep.resolve("f");
        posix.close(posix.open(file, Posix.O_WRONLY | Posix.O_CREAT | Posix.O_CLOEXEC, 0644));
        posix.rename(file, deep.resolve("g"));
        posix.fsyncDirectory(deep);
        assertTrue(Files.exists(deep.resolve("g")) && !Files.exists(file));
        assertTrue(posix.unlink(deep.resolve("g")));
        assertFalse(posix.unlink(deep.resolve("g")));
    }

    @Test
    void errnoIsCapturedPerThread() throws Exception {
        // Threads fail different calls at once; each must see its own errno, not another thread's.
        Path existing = Files.createFile(dir.resolve("existing"));
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            boolean directoryAsFile = t % 2 == 0;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 2000; i++) {
                    try {
                        if (directoryAsFile) {
                            posix.open(dir, Posix.O_WRONLY, 0);
                        } else {
                            posix.open(existing, Posix.O_RDONLY | Posix.O_CREAT | Posix.O_EXCL, 0644);
                        }
                        wrong.add("no failure");
                    } catch (PosixException e) {
                        int expected = directoryAsFile ? Errno.EISDIR : Errno.EEXIST;
                        if (e.errno() != expected) {
                            wrong.add(e.getMessage());
                        }
                    } catch (Exception e) {
                        wrong.add(e.toString());
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(List.of(), List.copyOf(wrong));
    }

    @Test
    void punchedHoleReadsAsZeros() throws Exception {
        Path file = dir.resolve("f");
        OpenFile f = posix.open(file, Posix.O_RDWR | Posix.O_CREAT | Posix.O_CLOEXEC, 0644);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ones = arena.allocate(3 * 4096);
            ones.fill((byte) 1);
            posix.pwriteFully(f, ones, 0);
            if (posix.punchHole(f, 4096, 4096)) {
                byte[] content = Files.readAllBytes(file);
                assertEquals(3 * 4096, content.length);
                assertArrayEquals(new byte[4096], java.util.Arrays.copyOfRange(content, 4096, 8192));
                assertEquals(1, content[8192]);
            }
            assertEquals(1, ones.get(ValueLayout.JAVA_BYTE, 0));
        } finally {
            posix.close(f);
        }
    }

    @Test
    void offsetsBeyondFourGibibytesLandWhereAsked() throws Exception {
        // The calls pass a 64-bit offset as the kernel takes it (pwritev as two halves): bytes written
        // past 4 GiB must be at that offset, as another reader sees the file. Sparse: no disk used.
        Path file = dir.resolve("sparse");
        long single = (5L << 30) + 123;
        long vectored = (6L << 30) + 4096;
        OpenFile f = posix.open(file, Posix.O_RDWR | Posix.O_CREAT | Posix.O_CLOEXEC, 0644);
        try (Arena arena = Arena.ofConfined()) {
            posix.pwriteFully(f, arena.allocateFrom("single"), single);
            MemorySegment first = arena.allocateFrom("vec");
            MemorySegment second = arena.allocateFrom("tored");
            MemorySegment iovecs = arena.allocate(32);
            iovecs.set(ValueLayout.JAVA_LONG, 0, first.address());
            iovecs.set(ValueLayout.JAVA_LONG, 8, first.byteSize() - 1); // without the NUL
            iovecs.set(ValueLayout.JAVA_LONG, 16, second.address());
            iovecs.set(ValueLayout.JAVA_LONG, 24, second.byteSize());
            assertEquals(3 + 6, posix.pwritev(f, iovecs, 2, vectored));
            MemorySegment in = arena.allocate(9);
            assertEquals(9, posix.preadFully(f, in, vectored));
            assertEquals("vectored", in.getString(0));
            assertEquals(vectored + 9, posix.sizeBytes(f));
        } finally {
            posix.close(f);
        }
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file)) {
            java.nio.ByteBuffer at = java.nio.ByteBuffer.allocate(6);
            channel.read(at, single);
            assertEquals("single", new String(at.array(), java.nio.charset.StandardCharsets.US_ASCII));
            java.nio.ByteBuffer before = java.nio.ByteBuffer.allocate(1);
            channel.read(before, vectored - 1);
            assertEquals(0, before.get(0), "nothing written below the vectored write");
        }
    }

    @Test
    @SuppressWarnings("restricted") // an unaligned address, to see madvise refuse it
    void mapsAdvisesAndUnmaps() throws Exception {
        Path file = dir.resolve("mapped");
        OpenFile f = posix.open(file, Posix.O_RDWR | Posix.O_CREAT | Posix.O_CLOEXEC, 0644);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pages = arena.allocate(3 * 4096);
            pages.fill((byte) 7);
            pages.set(ValueLayout.JAVA_BYTE, 2 * 4096 + 5, (byte) 9);
            posix.pwriteFully(f, pages, 0);
            MemorySegment mapping = posix.mapReadOnly(f, 3 * 4096);
            posix.adviseRandom(f, mapping);
            posix.adviseWillNeed(f, mapping.asSlice(4096, 2 * 4096));
            assertEquals(3 * 4096, mapping.byteSize());
            assertEquals(7, mapping.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(9, mapping.get(ValueLayout.JAVA_BYTE, 2 * 4096 + 5));
            posix.adviseDontNeed(f, mapping); // unmapped from the process, not from the file
            assertEquals(7, mapping.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(9, mapping.get(ValueLayout.JAVA_BYTE, 2 * 4096 + 5));
            posix.unmap(f, mapping);
            PosixException unaligned = assertThrows(PosixException.class,
                () -> posix.adviseRandom(f, MemorySegment.ofAddress(mapping.address() + 1).reinterpret(10)));
            assertEquals(Errno.EINVAL, unaligned.errno());
        } finally {
            posix.close(f);
        }
    }

    @Test
    void anonymousMemoryIsZeroedResidentOnlyWhereWrittenAndUnmappedWithItsArena() throws Exception {
        long bytes = 8L << 20;
        MemorySegment memory;
        try (Arena arena = Arena.ofConfined()) {
            memory = NativePosix.INSTANCE.mapAnonymous(bytes, arena);
            assertEquals(bytes, memory.byteSize());
            assertEquals(0, memory.address() % 4096, "page-aligned");
            assertEquals(0, residentKib(memory.address()), "nothing resident before a write");
            memory.set(ValueLayout.JAVA_BYTE, 5 * 4096 + 1, (byte) 3);
            long resident = residentKib(memory.address());
            // One page, or one huge page where transparent huge pages are always on.
            assertTrue(resident == 4 || resident == 2048, "resident after one write: " + resident + " KiB");
            assertEquals(3, memory.get(ValueLayout.JAVA_BYTE, 5 * 4096 + 1));
            assertEquals(0, memory.get(ValueLayout.JAVA_LONG, bytes - 8), "zeroed");
        }
        assertEquals(-1, residentKib(memory.address()), "unmapped when the arena closed");
    }

    /** The resident KiB of the mapping that starts at {@code address} (/proc/self/smaps), or -1 if there is none. */
    private static long residentKib(long address) throws Exception {
        String start = Long.toHexString(address) + "-";
        boolean inside = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                inside = line.startsWith(start);
            } else if (inside && line.startsWith("Rss:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    @Test
    void aSecondExclusiveLockIsRefusedWhileTheFirstIsHeld() throws Exception {
        Path file = Files.createFile(dir.resolve("lock"));
        OpenFile first = posix.open(file, Posix.O_RDONLY | Posix.O_CLOEXEC, 0);
        OpenFile second = posix.open(file, Posix.O_RDONLY | Posix.O_CLOEXEC, 0);
        try {
            assertTrue(posix.tryLockExclusive(first));
            assertFalse(posix.tryLockExclusive(second), "flock locks per open file, so a second open is refused");
            posix.close(first);
            assertTrue(posix.tryLockExclusive(second), "closing the first released its lock");
        } finally {
            posix.close(second);
        }
    }

    @Test
    void aHeapSegmentIsRefusedBeforeTheKernelSeesIt() throws Exception {
        Path file = dir.resolve("f");
        OpenFile f = posix.open(file, Posix.O_RDWR | Posix.O_CREAT | Posix.O_CLOEXEC, 0644);
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> posix.pwrite(f, MemorySegment.ofArray(new byte[16]), 0));
            assertTrue(e.getMessage().startsWith("a system call needs native memory"), e.getMessage());
            assertEquals(0, Files.size(file));
        } finally {
            posix.close(f);
        }
    }
}
