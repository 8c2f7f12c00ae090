package io.cairn.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Randomized appends (with conflicting suffixes, hard states, snapshots and releases) across segment
 * rotation and reopening, compared after every reopen with {@link WalModel}. A failure names its
 * seed; replay it with -Dcairn.wal.seed.
 */
class WalRoundTripTest {
    static final WalOptions SMALL = WalOptions.defaults().withMaxWriteBytes(32 << 10).withSegmentBytes(128 << 10);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "directIo={0} syncMode={1}")
    @CsvSource({"true,FDATASYNC", "false,FDATASYNC", "true,O_DSYNC", "false,O_DSYNC"})
    void randomizedRoundTripAcrossRotationAndReopen(boolean directIo, SyncMode syncMode) throws Exception {
        long seed = Long.getLong("cairn.wal.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        WalOptions options = SMALL.withDirectIo(directIo).withSyncMode(syncMode);
        WalModel model = new WalModel();
        long term = 1;
        for (int session = 0; session < 6; session++) {
            // A restarted member asks only for the entries after its tree's: the rest are verified, not kept.
            long keepFrom = 1 + random.nextLong(model.lastIndex() + 2);
            try (Wal wal = Wal.open(dir, options, io.cairn.posix.NativePosix.INSTANCE, keepFrom)) {
                assertEquals(model.expected(keepFrom), wal.recovered(), "seed " + seed + " session " + session
                    + " keeping from " + keepFrom);
            }
            try (Wal wal = Wal.open(dir, options)) {
                assertEquals(model.expected(), wal.recovered(), "seed " + seed + " session " + session);
                List<CompletableFuture<Void>> pending = new ArrayList<>();
                for (int op = 0; op < 150; op++) {
                    int choice = random.nextInt(100);
                    if (choice < 80) {
                        long last = model.lastIndex();
                        // Mostly extend the log; sometimes replace a suffix above the snapshot.
                        long first = random.nextInt(10) == 0 && last > model.snapshot().index()
                                ? model.snapshot().index() + 1 + random.nextLong(last - model.snapshot().index())
                                : last + 1;
                        if (first <= last) {
                            term++;
                        }
                        List<Entry> batch = WalModel.entries(random, term, first, 1 + random.nextInt(4), 3000);
                        HardState state = random.nextBoolean() ? new HardState(term, random.nextInt(5), first - 1) : null;
                        if (random.nextInt(3) == 0) {
                            // Written on this thread, possibly while the flusher writes earlier appends.
                            wal.appendAndSync(batch, state);
                        } else {
                            pending.add(wal.append(batch, state));
                        }
                        model.append(batch, state);
                    } else if (choice < 90 && model.lastIndex() > model.snapshot().index()) {
                        long index = model.snapshot().index() + 1 + random.nextLong(model.lastIndex() - model.snapshot().index());
                        SnapshotMarker marker = new SnapshotMarker(term, index);
                        wal.saveSnapshot(marker).get();
                        model.snapshot(marker);
                        wal.releaseBefore(index);
                    } else {
                        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get();
                        pending.clear();
                    }
                }
                CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get();
                assertTrue(wal.metrics().writes() > 0);
            }
        }
        try (Wal wal = Wal.open(dir, options)) {
            assertEquals(model.expected(), wal.recovered(), "seed " + seed + " final");
            assertTrue(wal.segmentFileNames().size() >= 1);
        }
    }

    @Test
    void rotationNamesSegmentsLikeEtcdAndReleaseDeletesOnlyCoveredOnes() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        List<String> before;
        try (Wal wal = Wal.open(dir, SMALL)) {
            assertEquals(Long.MAX_VALUE, wal.oldestSegmentLastIndex(), "one segment: no release deletes it");
            for (long index = 1; index <= 400; index += 4) {
                wal.append(WalModel.entries(random, 1, index, 4, 1000), null).get();
            }
            before = wal.segmentFileNames();
            assertTrue(before.size() >= 4, "400 entries of ~500 bytes rotate 128 KiB segments: " + before);
            assertEquals("0000000000000000-0000000000000001.wal", before.getFirst());
            for (String name : before) {
                assertTrue(Files.exists(dir.resolve(name)), name);
                assertEquals(128 << 10, Files.size(dir.resolve(name)), name + " is preallocated");
            }
            SegmentName third = SegmentName.parse(before.get(2));
            assertEquals(SegmentName.parse(before.get(1)).firstIndex() - 1, wal.oldestSegmentLastIndex());
            IllegalArgumentException early = assertThrows(IllegalArgumentException.class,
                    () -> wal.releaseBefore(third.firstIndex()));
            assertTrue(early.getMessage().contains("newest durable snapshot"), early.getMessage());
            wal.saveSnapshot(new SnapshotMarker(1, third.firstIndex() - 1)).get();
            wal.releaseBefore(third.firstIndex() - 1);
            assertEquals(before.subList(2, before.size()), wal.segmentFileNames());
            assertEquals(SegmentName.parse(before.get(3)).firstIndex() - 1, wal.oldestSegmentLastIndex());
            assertTrue(Files.notExists(dir.resolve(before.getFirst())));
        }
        try (Wal wal = Wal.open(dir, SMALL)) {
            SegmentName third = SegmentName.parse(before.get(2));
            assertEquals(third.firstIndex(), wal.recovered().entries().getFirst().index());
            assertEquals(400, wal.recovered().lastIndex());
        }
    }

    @Test
    void refusesGapsStaleReplacementsAndOversizedAppends() throws Exception {
        try (Wal wal = Wal.open(dir, SMALL)) {
            byte[] small = new byte[10];
            IllegalArgumentException gap = assertThrows(IllegalArgumentException.class,
                    () -> wal.append(List.of(new Entry(1, 2, small)), null));
            assertEquals("entry 2 would leave a gap: the log ends at 0", gap.getMessage());
            wal.append(List.of(new Entry(1, 1, small), new Entry(1, 2, small)), null).get();
            assertThrows(IllegalArgumentException.class,
                    () -> wal.append(List.of(new Entry(1, 3, small), new Entry(1, 5, small)), null));
            wal.saveSnapshot(new SnapshotMarker(1, 2)).get();
            IllegalArgumentException stale = assertThrows(IllegalArgumentException.class,
                    () -> wal.append(List.of(new Entry(1, 2, small)), null));
            assertEquals("entry 2 is covered by the snapshot at 2 and cannot be replaced", stale.getMessage());
            IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                    () -> wal.append(List.of(new Entry(1, 3, new byte[40 << 10])), null));
            assertTrue(big.getMessage().contains("exceeds maxWriteBytes"), big.getMessage());
        }
    }

    @Test
    void snapshotBeyondTheLogMovesItsEnd() throws Exception {
        try (Wal wal = Wal.open(dir, SMALL)) {
            wal.append(List.of(new Entry(1, 1, new byte[3])), new HardState(1, 2, 1)).get();
            wal.saveSnapshot(new SnapshotMarker(3, 100)).get();
            wal.append(List.of(new Entry(3, 101, new byte[4])), new HardState(3, 2, 101)).get();
        }
        try (Wal wal = Wal.open(dir, SMALL)) {
            Recovered r = wal.recovered();
            assertEquals(new SnapshotMarker(3, 100), r.snapshot());
            assertEquals(new HardState(3, 2, 101), r.hardState());
            assertEquals(List.of(new Entry(3, 101, new byte[4])), r.entries());
        }
    }

    @Test
    void appendsAfterCloseAreRefused() throws Exception {
        Wal wal = Wal.open(dir, SMALL);
        wal.close();
        IllegalStateException closed = assertThrows(IllegalStateException.class,
                () -> wal.append(List.of(new Entry(1, 1, new byte[1])), null));
        assertTrue(closed.getMessage().endsWith("is closed"), closed.getMessage());
    }

    @Test
    void concurrentAppendersShareWrites() throws Exception {
        int threads = 8;
        int perThread = 200;
        Object order = new Object();
        long[] next = {1};
        try (Wal wal = Wal.open(dir, WalOptions.defaults().withMaxWriteBytes(256 << 10).withSegmentBytes(1 << 20))) {
            List<Thread> appenders = new ArrayList<>();
            List<Throwable> errors = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                appenders.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < perThread; i++) {
                            CompletableFuture<Void> durable;
                            synchronized (order) {
                                long index = next[0]++;
                                durable = wal.append(List.of(new Entry(1, index, Long.toString(index).getBytes())), null);
                            }
                            durable.get();
                        }
                    } catch (InterruptedException | ExecutionException e) {
                        synchronized (errors) {
                            errors.add(e);
                        }
                    }
                }));
            }
            for (Thread t : appenders) {
                t.join();
            }
            assertEquals(List.of(), errors);
            long writes = wal.metrics().writes();
            assertTrue(writes < threads * perThread, "8 appenders should share writes, got " + writes + " writes");
            assertEquals(threads * perThread, wal.metrics().recordsWritten());
        }
        try (Wal wal = Wal.open(dir, WalOptions.defaults().withMaxWriteBytes(256 << 10).withSegmentBytes(1 << 20))) {
            List<Entry> entries = wal.recovered().entries();
            assertEquals(threads * perThread, entries.size());
            for (int i = 0; i < entries.size(); i++) {
                assertEquals(Long.toString(i + 1), new String(entries.get(i).payload()));
            }
        }
    }
}
