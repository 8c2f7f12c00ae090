package io.cairn.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import io.cairn.posix.Call;
import io.cairn.posix.Errno;
import io.cairn.posix.Fault;
import io.cairn.posix.FaultyPosix;
import io.cairn.posix.NativePosix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Disk errors under the WAL, injected through the seam. A failed write or fdatasync of a segment ends
 * the log: nothing of that batch is reported durable, every later append fails, close says so, and a
 * reopen recovers every acknowledged entry. A full disk while the next segment is prepared is waited
 * out: the rotation that needs it refuses its appends after a bounded wait, leaving the log as it was,
 * and appends work again, without a restart, once there is room.
 */
class WalDiskErrorTest {
    private static final WalOptions SMALL = WalOptions.defaults().withMaxWriteBytes(16 << 10).withSegmentBytes(48 << 10)
            .withSpareWaitNanos(TimeUnit.MILLISECONDS.toNanos(500));
    private static final Predicate<Path> SEGMENTS = p -> p.getFileName().toString().endsWith(".wal");
    /** Spares after the first: the log opens, then the disk fills before the next segment is ready. */
    private static final Predicate<Path> LATER_SPARES = p -> p.getFileName().toString().startsWith("spare-")
            && !p.getFileName().toString().equals("spare-0.wal.tmp");

    @TempDir
    Path dir;
    private FaultyPosix posix;
    private final List<LogRecord> preparerLog = new ArrayList<>();
    private final Logger preparerLogger = Logger.getLogger(SegmentPreparer.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (preparerLog) {
                preparerLog.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void setUp() throws IOException {
        posix = new FaultyPosix(NativePosix.INSTANCE, dir.resolve("stash"));
        preparerLogger.addHandler(capture);
    }

    @AfterEach
    void tearDown() {
        preparerLogger.removeHandler(capture);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"PWRITE, EIO", "PWRITE, ENOSPC", "FDATASYNC, EIO", "FDATASYNC, ENOSPC"})
    void aFailedSegmentWriteOrSyncEndsTheLogAndLosesNothingAcknowledged(Call call, String error) throws Exception {
        int errno = error.equals("EIO") ? Errno.EIO : Errno.ENOSPC;
        Path walDir = dir.resolve("wal");
        Wal wal = Wal.open(walDir, SMALL, posix);
        for (long i = 1; i <= 10; i++) {
            wal.append(List.of(entry(i, 500)), new HardState(1, 1, i - 1)).get();
        }
        Fault fault = posix.failNext(call, SEGMENTS, errno, 1);
        CompletableFuture<Void> failing = wal.append(List.of(entry(11, 500), entry(12, 500)), new HardState(1, 1, 10));
        ExecutionException e = assertThrows(ExecutionException.class, () -> failing.get(10, TimeUnit.SECONDS));
        assertEquals(1, fault.hits());
        String message = e.getCause().getMessage();
        assertTrue(message.contains("the WAL in " + walDir + " cannot be written") && message.contains(".wal")
                && message.contains((call == Call.PWRITE ? "pwrite" : "fdatasync") + " on ")
                && message.contains(errno == Errno.EIO ? "Input/output error" : "No space left on device")
                && message.contains("restart the member"), message);
        if (errno == Errno.ENOSPC) {
            assertTrue(message.contains("free space on the filesystem holding"), message);
        }
        // The disk works again, but the log does not go on: it cannot know what reached the disk.
        ExecutionException later = assertThrows(ExecutionException.class,
                () -> wal.append(List.of(entry(13, 10)), null).get(10, TimeUnit.SECONDS));
        assertTrue(later.getCause().getMessage().contains("failed earlier"), later.getCause().getMessage());
        IOException synced = assertThrows(IOException.class, () -> wal.appendAndSync(List.of(entry(13, 10)), null));
        assertTrue(synced.getMessage().contains("failed earlier"), synced.getMessage());
        assertThrows(ExecutionException.class, () -> wal.saveSnapshot(new SnapshotMarker(1, 5)).get(10, TimeUnit.SECONDS));
        IOException closed = assertThrows(IOException.class, wal::close);
        assertTrue(closed.getMessage().contains("failed"), closed.getMessage());

        try (Wal reopened = Wal.open(walDir, SMALL, NativePosix.INSTANCE)) {
            List<Entry> entries = reopened.recovered().entries();
            // 1..10 were acknowledged; 11 and 12 may be there (their write reached the disk) but need not be.
            assertTrue(entries.size() == 10 || entries.size() == 12, "recovered " + entries.size() + " entries");
            for (int i = 0; i < entries.size(); i++) {
                assertEquals(entry(i + 1, 500), entries.get(i));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"FALLOCATE", "PWRITE"})
    void aFullDiskWhilePreparingASegmentIsWaitedOutAndAppendsResumeWithoutARestart(Call call) throws Exception {
        Path walDir = dir.resolve("wal");
        Fault full = posix.failAlways(call, LATER_SPARES, Errno.ENOSPC);
        List<Entry> acknowledged = new ArrayList<>();
        long next;
        try (Wal wal = Wal.open(walDir, SMALL, posix)) {
            // 3000-byte entries fill the first 48 KiB segment after a dozen or so appends.
            NoSpareSegmentException refused = null;
            for (next = 1; refused == null; ) {
                try {
                    wal.append(List.of(entry(next, 3000)), null).get(10, TimeUnit.SECONDS);
                    acknowledged.add(entry(next, 3000));
                    next++;
                } catch (ExecutionException e) {
                    refused = assertInstanceOf(NoSpareSegmentException.class, e.getCause());
                }
                assertTrue(next < 100, "the first segment never filled");
            }
            String message = refused.getMessage();
            assertTrue(message.contains("needs its next segment") && message.contains("No space left on device")
                    && message.contains("free space on the filesystem holding")
                    && message.contains("the log still ends at index " + (next - 1)), message);

            // Appends queued behind the refused one continue from it: they are refused with it, nothing is written.
            List<CompletableFuture<Void>> queued = new ArrayList<>();
            for (long i = next; i < next + 4; i++) {
                queued.add(wal.append(List.of(entry(i, 3000)), null));
            }
            for (CompletableFuture<Void> f : queued) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
                assertInstanceOf(NoSpareSegmentException.class, e.getCause());
            }
            long from = next;
            assertThrows(NoSpareSegmentException.class, () -> wal.appendAndSync(List.of(entry(from, 3000)), null));
            assertTrue(full.hits() >= 2, "the preparer retried: " + full);
            assertEquals(1, warnings(), "one warning for the whole episode: " + preparerLog);

            full.clear(); // the next rotation asks the preparer to retry at once: the first append after this works
            for (long i = next; i < next + 30; i++) { // the same indexes again, across more rotations
                wal.append(List.of(entry(i, 3000)), null).get(10, TimeUnit.SECONDS);
                acknowledged.add(entry(i, 3000));
            }
            assertTrue(wal.segmentFileNames().size() >= 3, "rotated again: " + wal.segmentFileNames());
            assertTrue(infos() >= 1, "says when space is back: " + preparerLog);
        }
        try (Wal reopened = Wal.open(walDir, SMALL, NativePosix.INSTANCE)) {
            assertEquals(acknowledged, reopened.recovered().entries());
        }
    }

    @Test
    void aPreparerFailureOtherThanAFullDiskEndsTheLogAtTheNextRotation() throws Exception {
        Path walDir = dir.resolve("wal");
        posix.failAlways(Call.FDATASYNC, LATER_SPARES, Errno.EIO);
        List<Entry> acknowledged = new ArrayList<>();
        Wal wal = Wal.open(walDir, SMALL, posix);
        ExecutionException failed = null;
        for (long i = 1; failed == null && i < 100; i++) {
            try {
                wal.append(List.of(entry(i, 3000)), null).get(10, TimeUnit.SECONDS);
                acknowledged.add(entry(i, 3000));
            } catch (ExecutionException e) {
                failed = e;
            }
        }
        assertTrue(failed != null && failed.getCause().getMessage().contains("preparing the next WAL segment"),
                String.valueOf(failed));
        assertThrows(ExecutionException.class, () -> wal.append(List.of(entry(1000, 1)), null).get(10, TimeUnit.SECONDS));
        IOException closed = assertThrows(IOException.class, wal::close);
        assertTrue(closed.getMessage().contains("failed"), closed.getMessage());
        try (Wal reopened = Wal.open(walDir, SMALL, NativePosix.INSTANCE)) {
            assertEquals(acknowledged, reopened.recovered().entries());
        }
    }

    private long warnings() {
        synchronized (preparerLog) {
            return preparerLog.stream().filter(r -> r.getLevel() == Level.WARNING).count();
        }
    }

    private long infos() {
        synchronized (preparerLog) {
            return preparerLog.stream().filter(r -> r.getLevel() == Level.INFO).count();
        }
    }

    /** Entry {@code index} with a payload only its index decides, so a recovered one can be compared. */
    private static Entry entry(long index, int payloadBytes) {
        byte[] payload = new byte[payloadBytes];
        Arrays.fill(payload, (byte) index);
        return new Entry(1, index, payload);
    }
}
