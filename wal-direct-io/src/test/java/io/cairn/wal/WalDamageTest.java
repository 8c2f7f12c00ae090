package io.cairn.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damages a copy of a known log at random places (flip a bit, zero a block, cut the file) and checks
 * the exact outcome: damage that a complete later write follows is refused, naming the file and the
 * offset of the first bad record; anything else is a torn tail, and recovery returns exactly the
 * entries before the first bad record, durably, so the log can go on. Replay with -Dcairn.wal.seed.
 */
class WalDamageTest {
    private static final WalOptions OPTIONS = WalRoundTripTest.SMALL.withAcceptMovedDirectory(true);

    @TempDir
    Path root;

    private Path original;
    /** Every entry in log order with where it lies and whether it starts its write. */
    private final List<Placed> placed = new ArrayList<>();
    private final List<Entry> written = new ArrayList<>();

    record Placed(Entry entry, String file, long offset, boolean firstInWrite) {
        long endOffset() {
            return offset + RecordFormat.HEADER_BYTES + RecordFormat.ENTRY_FIXED_BODY_BYTES + entry.payload().length;
        }
    }

    @BeforeEach
    void writeKnownLog() throws Exception {
        original = root.resolve("original");
        SplittableRandom random = new SplittableRandom(42);
        List<Long> writeStarts = new ArrayList<>();
        try (Wal wal = Wal.open(original, OPTIONS)) {
            long next = 1;
            // Each append is awaited, so each is exactly one write.
            while (wal.segmentFileNames().size() < 3 || next < 120) {
                List<Entry> batch = WalModel.entries(random, 1, next, 1 + random.nextInt(3), 5000);
                wal.append(batch, null).get();
                writeStarts.add(next);
                written.addAll(batch);
                next += batch.size();
            }
        }
        for (String name : segmentNames(original)) {
            SegmentScan scan = scanIntact(original.resolve(name));
            for (SegmentScan.Item item : scan.items) {
                SegmentScan.EntryItem e = (SegmentScan.EntryItem) item;
                placed.add(new Placed(e.toEntry(), name, e.offset(), writeStarts.contains(e.index())));
            }
        }
        assertEquals(written, placed.stream().map(Placed::entry).toList());
    }

    @Test
    void randomDamageHasTheExactOutcome() throws Exception {
        long seed = Long.getLong("cairn.wal.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        int torn = 0;
        int refused = 0;
        for (int trial = 0; trial < 60; trial++) {
            Path copy = root.resolve("trial-" + trial);
            copyLog(original, copy);
            // Half the trials hit the last write, where a torn tail can happen.
            int target = random.nextBoolean() ? placed.size() - 1 - random.nextInt(3) : random.nextInt(placed.size());
            Placed victim = placed.get(target);
            Path file = copy.resolve(victim.file());
            int kind = random.nextInt(3);
            String what;
            long damageEnd;
            Placed firstBad;
            if (kind == 0) {
                long at = victim.offset() + random.nextLong(victim.endOffset() - victim.offset());
                int bit = random.nextInt(8);
                flipBit(file, at, bit);
                what = "flip bit " + bit + " at " + at;
                damageEnd = at + 1;
                firstBad = victim;
            } else if (kind == 1) {
                long at = victim.offset() + random.nextLong(victim.endOffset() - victim.offset());
                long block = Math.max(1, at / RecordFormat.BLOCK_BYTES) * RecordFormat.BLOCK_BYTES;
                zero(file, block, RecordFormat.BLOCK_BYTES);
                what = "zero block at " + block;
                damageEnd = block + RecordFormat.BLOCK_BYTES;
                firstBad = placed.stream().filter(p -> p.file().equals(victim.file()) && p.endOffset() > block)
                        .findFirst().orElseThrow();
            } else {
                long at = victim.offset() + random.nextLong(victim.endOffset() - victim.offset());
                try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                    raf.setLength(at);
                }
                what = "cut the file at " + at;
                damageEnd = Long.MAX_VALUE;
                firstBad = victim;
            }
            String where = "seed " + seed + " trial " + trial + " (" + what + " of " + victim.file() + ")";
            boolean laterWrite = placed.stream().anyMatch(p -> p.file().equals(victim.file()) && p.firstInWrite()
                    && p.offset() >= damageEnd)
                    || placed.stream().anyMatch(p -> p.file().compareTo(victim.file()) > 0)
                    || !victim.file().equals(segmentNames(copy).getLast()); // the segment end record is a write too
            if (laterWrite) {
                CorruptWalException e = assertThrows(CorruptWalException.class, () -> Wal.open(copy, OPTIONS).close(), where);
                assertTrue(e.getMessage().contains(victim.file()) && e.getMessage().contains("offset " + firstBad.offset()),
                        where + ": " + e.getMessage());
                refused++;
            } else {
                List<Entry> expected = written.subList(0, placed.indexOf(firstBad));
                try (Wal wal = Wal.open(copy, OPTIONS)) {
                    assertEquals(expected, wal.recovered().entries(), where);
                    wal.append(List.of(new Entry(2, expected.size() + 1, new byte[]{7})), null).get();
                }
                try (Wal wal = Wal.open(copy, OPTIONS)) {
                    assertEquals(expected.size() + 1, wal.recovered().entries().size(), where + " after the repair");
                    assertEquals(new Entry(2, expected.size() + 1, new byte[]{7}), wal.recovered().entries().getLast(), where);
                }
                torn++;
            }
        }
        assertTrue(torn > 5 && refused > 5, "both outcomes exercised: torn " + torn + ", refused " + refused);
    }

    @Test
    void missingSegmentInTheMiddleIsDetected() throws Exception {
        Files.delete(original.resolve(segmentNames(original).get(1)));
        CorruptWalException e = assertThrows(CorruptWalException.class, () -> Wal.open(original, OPTIONS).close());
        assertTrue(e.getMessage().contains("segment with sequence 1 is missing"), e.getMessage());
    }

    @Test
    void lostNewestSegmentIsDetected() throws Exception {
        Files.delete(original.resolve(segmentNames(original).getLast()));
        CorruptWalException e = assertThrows(CorruptWalException.class, () -> Wal.open(original, OPTIONS).close());
        assertTrue(e.getMessage().contains("the newest segment was lost"), e.getMessage());
    }

    @Test
    void lostOldestSegmentWithoutASnapshotIsDetected() throws Exception {
        Files.delete(original.resolve(segmentNames(original).getFirst()));
        CorruptWalException e = assertThrows(CorruptWalException.class, () -> Wal.open(original, OPTIONS).close());
        assertTrue(e.getMessage().contains("older segments are missing"), e.getMessage());
    }

    @Test
    void renamedSegmentIsDetected() throws Exception {
        String second = segmentNames(original).get(1);
        SegmentName name = SegmentName.parse(second);
        Files.move(original.resolve(second), original.resolve(new SegmentName(name.sequence(), name.firstIndex() + 1).fileName()));
        CorruptWalException e = assertThrows(CorruptWalException.class, () -> Wal.open(original, OPTIONS).close());
        assertTrue(e.getMessage().contains("a segment was renamed"), e.getMessage());
    }

    @Test
    void movedDirectoryIsDetectedUnlessAccepted() throws Exception {
        Path moved = root.resolve("moved");
        String writtenIn = original.toRealPath().toString();
        Files.move(original, moved);
        WalOptions strict = OPTIONS.withAcceptMovedDirectory(false);
        CorruptWalException e = assertThrows(CorruptWalException.class, () -> Wal.open(moved, strict).close());
        assertTrue(e.getMessage().contains("was written in " + writtenIn)
                && e.getMessage().contains("acceptMovedDirectory"), e.getMessage());
        try (Wal wal = Wal.open(moved, OPTIONS)) {
            assertEquals(written, wal.recovered().entries());
        }
    }

    @Test
    void segmentOfAnotherLogIsRefused() throws Exception {
        Path other = root.resolve("other");
        try (Wal wal = Wal.open(other, OPTIONS)) {
            wal.append(List.of(new Entry(1, 1, new byte[1])), null).get();
        }
        String last = segmentNames(original).getLast();
        SegmentName lastName = SegmentName.parse(last);
        Files.copy(other.resolve(segmentNames(other).getFirst()),
                original.resolve(new SegmentName(lastName.sequence() + 1, 1).fileName()));
        CorruptWalException e = assertThrows(CorruptWalException.class, () -> Wal.open(original, OPTIONS).close());
        assertTrue(e.getMessage().contains("belongs to another log") || e.getMessage().contains("renamed"), e.getMessage());
    }

    private static SegmentScan scanIntact(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        SegmentScan scan = SegmentScan.scan(file.toString(), ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN),
                bytes.length, OPTIONS.segmentBytes());
        assertTrue(scan.end == SegmentScan.End.CLEAN || scan.end == SegmentScan.End.SEGMENT_END, file + " " + scan.end);
        return scan;
    }

    private static List<String> segmentNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".wal")).sorted().toList();
        }
    }

    private static void copyLog(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        for (String name : segmentNames(from)) {
            Files.copy(from.resolve(name), to.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void flipBit(Path file, long offset, int bit) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ (1 << bit));
        }
    }

    private static void zero(Path file, long offset, int length) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            raf.write(new byte[length]);
        }
    }
}
