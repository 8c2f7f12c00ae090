package io.cairn.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Posix#pwriteBatch}: every queued write lands at its own offset, through the kernel's AIO on
 * {@link NativePosix} and a pwritev of one iovec each by default; failures are thrown with errno,
 * call and path.
 */
class WriteBatchTest {
    private static final int PAGE = 4096;

    @TempDir
    Path dir;

    @Test
    void nativePosixWritesTheWholeBatchThroughTheKernelsAio() throws Exception {
        Path file = dir.resolve("f");
        OpenFile f = NativePosix.INSTANCE.open(file, Posix.O_RDWR | Posix.O_CREAT | Posix.O_CLOEXEC, 0644);
        try (Arena arena = Arena.ofConfined(); WriteBatch batch = new WriteBatch(64)) {
            MemorySegment run = arena.allocate(3L * PAGE, PAGE); // pages 0, 1, 2 of one buffer, written apart
            for (int i = 0; i < 3; i++) {
                run.asSlice((long) i * PAGE, PAGE).fill((byte) ('a' + i));
            }
            // Pages 199 down to 100 from buffers of their own, each filled with its page number's low byte.
            for (int page = 199; page >= 100; page--) {
                MemorySegment own = arena.allocate(PAGE, PAGE).fill((byte) page);
                batch.add(own, 0, PAGE, (long) page * PAGE);
                if (batch.isFull()) {
                    NativePosix.INSTANCE.pwriteBatch(f, batch);
                    assertEquals(0, batch.size(), "a written batch is empty");
                }
            }
            for (int i = 0; i < 3; i++) {
                batch.add(run, (long) i * PAGE, PAGE, (long) (10 + 2 * i) * PAGE); // pages 10, 12, 14
            }
            NativePosix.INSTANCE.pwriteBatch(f, batch);
            assertEquals(0, batch.size());
            assertNotNull(batch.aio, "the kernel gave the batch an AIO context (else the writes went one pwritev each)");
        } finally {
            NativePosix.INSTANCE.close(f);
        }
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(200L * PAGE, bytes.length);
        for (int page = 100; page < 200; page++) {
            assertPage(bytes, page, (byte) page);
        }
        for (int i = 0; i < 3; i++) {
            assertPage(bytes, 10 + 2 * i, (byte) ('a' + i));
            assertPage(bytes, 11 + 2 * i, (byte) 0); // the gaps between them stay holes
        }
    }

    @Test
    void theDefaultMakesEachWriteAPwritevOfOneIovec() throws Exception {
        List<long[]> calls = new ArrayList<>(); // {iovec count, bytes, file offset}
        Posix counting = new ForwardingPosix(NativePosix.INSTANCE) {
            @Override
            public long pwritev(OpenFile file, MemorySegment iovecs, int count, long fileOffset) throws IOException {
                calls.add(new long[] {count, iovecs.get(ValueLayout.JAVA_LONG, 8), fileOffset});
                return super.pwritev(file, iovecs, count, fileOffset);
            }
        };
        Path file = dir.resolve("f");
        OpenFile f = counting.open(file, Posix.O_RDWR | Posix.O_CREAT | Posix.O_CLOEXEC, 0644);
        try (Arena arena = Arena.ofConfined(); WriteBatch batch = new WriteBatch(4)) {
            MemorySegment buffer = arena.allocate(2L * PAGE).fill((byte) 'x');
            batch.add(buffer, PAGE, PAGE, 5L * PAGE);
            batch.add(buffer, 0, 100, 0);
            counting.pwriteBatch(f, batch);
            assertEquals(0, batch.size());
        } finally {
            counting.close(f);
        }
        assertEquals(2, calls.size());
        assertArrayEquals(new long[] {1, PAGE, 5L * PAGE}, calls.get(0));
        assertArrayEquals(new long[] {1, 100, 0}, calls.get(1));
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(6L * PAGE, bytes.length);
        assertEquals('x', bytes[99]);
        assertEquals(0, bytes[100]);
        assertPage(bytes, 5, (byte) 'x');
    }

    /** io_submit refuses a write whose offset plus length overflows (EINVAL): the writes before it are made, and it is thrown. */
    @Test
    void aWriteIoSubmitRefusesIsThrownNamingErrnoAndPath() throws Exception {
        Path file = dir.resolve("f");
        OpenFile f = NativePosix.INSTANCE.open(file, Posix.O_RDWR | Posix.O_CREAT | Posix.O_CLOEXEC, 0644);
        try (Arena arena = Arena.ofConfined(); WriteBatch batch = new WriteBatch(8)) {
            MemorySegment buffer = arena.allocate(PAGE, PAGE).fill((byte) 'y');
            batch.add(buffer, 0, PAGE, 0);
            batch.add(buffer, 0, PAGE, Long.MAX_VALUE - 10);
            PosixException e = assertThrows(PosixException.class, () -> NativePosix.INSTANCE.pwriteBatch(f, batch));
            assertEquals(Errno.EINVAL, e.errno());
            assertEquals(file, e.path());
            assertTrue(e.getMessage().contains("Invalid argument"), e.getMessage());
            assertEquals(0, batch.size(), "a failed batch is emptied too");
        } finally {
            NativePosix.INSTANCE.close(f);
        }
        assertPage(Files.readAllBytes(file), 0, (byte) 'y');
    }

    /**
     * A write the kernel takes and then fails comes back in its event (ext4 refuses a file past
     * 16 TiB with EFBIG): the other writes are made, and the failure is thrown as the write's.
     */
    @Test
    void aWriteThatFailsInTheKernelIsThrownAfterTheOthersAreMade() throws Exception {
        assumeTrue("ext4".equals(Files.getFileStore(dir).type()), "EFBIG at 16 TiB is ext4's limit");
        Path file = dir.resolve("f");
        OpenFile f = NativePosix.INSTANCE.open(file, Posix.O_RDWR | Posix.O_CREAT | Posix.O_CLOEXEC, 0644);
        try (Arena arena = Arena.ofConfined(); WriteBatch batch = new WriteBatch(8)) {
            MemorySegment buffer = arena.allocate(PAGE, PAGE).fill((byte) 'z');
            batch.add(buffer, 0, PAGE, 0);
            batch.add(buffer, 0, PAGE, 1L << 50);
            batch.add(buffer, 0, PAGE, 2L * PAGE);
            PosixException e = assertThrows(PosixException.class, () -> NativePosix.INSTANCE.pwriteBatch(f, batch));
            assertEquals(27, e.errno(), e.getMessage()); // EFBIG
            assertEquals("pwrite (io_submit)", e.call());
            assertEquals(file, e.path());
        } finally {
            NativePosix.INSTANCE.close(f);
        }
        byte[] bytes = Files.readAllBytes(file);
        assertPage(bytes, 0, (byte) 'z');
        assertPage(bytes, 2, (byte) 'z');
    }

    @Test
    void aBatchRefusesMoreThanItHoldsAndHeapMemory() {
        try (Arena arena = Arena.ofConfined(); WriteBatch batch = new WriteBatch(1)) {
            MemorySegment buffer = arena.allocate(PAGE);
            batch.add(buffer, 0, PAGE, 0);
            assertThrows(IllegalStateException.class, () -> batch.add(buffer, 0, PAGE, PAGE));
            batch.clear();
            assertThrows(IllegalArgumentException.class, () -> batch.add(MemorySegment.ofArray(new byte[PAGE]), 0, PAGE, 0));
            assertThrows(IllegalArgumentException.class, () -> batch.add(buffer, 1, PAGE, 0));
        }
    }

    private static void assertPage(byte[] bytes, int page, byte expected) {
        for (int i = 0; i < PAGE; i++) {
            if (bytes[page * PAGE + i] != expected) {
                throw new AssertionError("page " + page + " byte " + i + ": " + bytes[page * PAGE + i] + ", expected " + expected);
            }
        }
    }
}
