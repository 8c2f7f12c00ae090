package io.cairn.wal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import io.cairn.posix.OpenFile;
import io.cairn.posix.Posix;

/**
 * Reads every segment of a log directory, verifies every checksum, tells a torn tail (repaired, with
 * one log line) from damage (refused, naming file and offset), and replays the records into a
 * {@link Recovered}. The segments are mapped, not read into the heap, while recovery runs; only the
 * payloads of the entries it returns are copied out, so entries the caller said it does not need
 * ({@code keepFromIndex}) cost a checksum and no copy.
 */
final class WalRecovery {
    private static final System.Logger LOG = System.getLogger(WalRecovery.class.getName());

    /** Where the writer continues, besides what the log held. */
    record Result(Recovered recovered, long walId, List<SegmentName> segments, long writeOffset) {
    }

    private final Path directory;
    private final String directoryName;
    private final WalOptions options;
    private final Posix posix;
    private final long keepFromIndex;

    private WalRecovery(Path directory, WalOptions options, Posix posix, long keepFromIndex) throws IOException {
        this.directory = directory;
        this.directoryName = directory.toRealPath().toString();
        this.options = options;
        this.posix = posix;
        this.keepFromIndex = keepFromIndex;
    }

    /**
     * Returns null when the directory holds no segment yet. Entries below {@code keepFromIndex}
     * are verified but not returned (1 returns every entry after the snapshot).
     */
    static Result recover(Path directory, WalOptions options, Posix posix, long keepFromIndex) throws IOException {
        return new WalRecovery(directory, options, posix, keepFromIndex).run();
    }

    private Result run() throws IOException {
        List<SegmentName> names = listSegments();
        if (names.isEmpty()) {
            return null;
        }
        // Mapped read-only for the whole recovery: a repair below writes through the file, never
        // shrinks it, and touches only bytes after a segment's last good record.
        try (Arena mapped = Arena.ofConfined()) {
            List<SegmentScan> scans = new ArrayList<>(names.size());
            for (SegmentName name : names) {
                Path file = directory.resolve(name.fileName());
                ByteBuffer data = map(file, mapped);
                scans.add(SegmentScan.scan(file.toString(), data, data.capacity(), options.segmentBytes()));
            }
            checkHeaders(names, scans);
            judgeEnds(scans);
            Recovered recovered = replay(names, scans);
            SegmentScan last = scans.getLast();
            return new Result(recovered, scans.getFirst().header.walId(), names,
                    RecordFormat.roundUpToBlock(last.endOffset));
        }
    }

    private static ByteBuffer map(Path file, Arena arena) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE) {
                throw new CorruptWalException(file + ": " + size + " bytes is larger than any segment this log writes");
            }
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena).asByteBuffer()
                    .order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    private List<SegmentName> listSegments() throws IOException {
        List<SegmentName> names = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String fileName = file.getFileName().toString();
                SegmentName name = SegmentName.parse(fileName);
                if (name != null) {
                    names.add(name);
                } else if (fileName.endsWith(".wal.tmp")) {
                    // A segment whose creation did not finish: it never held data, so it goes.
                    posix.unlink(file);
                }
            }
        }
        names.sort(null);
        for (int i = 1; i < names.size(); i++) {
            long expected = names.get(i - 1).sequence() + 1;
            if (names.get(i).sequence() != expected) {
                throw new CorruptWalException(directory + ": segment with sequence " + Long.toHexString(expected)
                        + " is missing (found " + names.get(i - 1).fileName() + " then " + names.get(i).fileName() + ")");
            }
        }
        return names;
    }

    private void checkHeaders(List<SegmentName> names, List<SegmentScan> scans) throws CorruptWalException {
        long walId = 0;
        for (int i = 0; i < scans.size(); i++) {
            SegmentScan scan = scans.get(i);
            SegmentName name = names.get(i);
            SegmentHeader header = scan.header;
            if (header == null) {
                throw new CorruptWalException(scan.file + ": offset 0: " + scan.endReason);
            }
            if (header.sequence() != name.sequence() || header.firstIndex() != name.firstIndex()) {
                throw new CorruptWalException(scan.file + ": its header says it is "
                        + new SegmentName(header.sequence(), header.firstIndex()).fileName() + "; a segment was renamed");
            }
            if (i == 0) {
                walId = header.walId();
            } else if (header.walId() != walId) {
                throw new CorruptWalException(scan.file + ": belongs to another log (id " + Long.toHexString(header.walId())
                        + ", expected " + Long.toHexString(walId) + ")");
            }
            if (!header.directory().equals(directoryName) && !options.acceptMovedDirectory()) {
                throw new CorruptWalException(scan.file + ": the log was written in " + header.directory()
                        + " but is now in " + directoryName + "; if it was moved on purpose, open it with acceptMovedDirectory");
            }
        }
    }

    private void judgeEnds(List<SegmentScan> scans) throws IOException {
        for (int i = 0; i < scans.size(); i++) {
            SegmentScan scan = scans.get(i);
            boolean newest = i == scans.size() - 1;
            if (scan.end == SegmentScan.End.SEGMENT_END) {
                if (newest) {
                    throw new CorruptWalException(scan.file + ": ends by naming the next segment (sequence "
                            + Long.toHexString(scan.nextSequence) + "), which is missing: the newest segment was lost");
                }
                continue;
            }
            if (scan.writeAfterEndOffset >= 0) {
                throw new CorruptWalException(scan.file + ": offset " + scan.endOffset + ": " + describe(scan)
                        + ", yet a complete write follows at offset " + scan.writeAfterEndOffset
                        + "; this is damage, not a torn write, and acknowledged records may be lost");
            }
            for (int later = i + 1; later < scans.size(); later++) {
                if (scans.get(later).holdsData()) {
                    throw new CorruptWalException(scan.file + ": offset " + scan.endOffset + ": " + describe(scan)
                            + " before the segment's end record, yet " + scans.get(later).file + " holds later records");
                }
            }
            if (scan.end != SegmentScan.End.CLEAN) {
                repairTornTail(scan);
            }
            if (!newest) {
                // The crash came after the next segment was created and before this one was closed.
                writeMissingEnd(scan, scans.get(i + 1).header.sequence());
            }
        }
    }

    private static String describe(SegmentScan scan) {
        return switch (scan.end) {
            case CLEAN -> "data stops";
            case SHORT_FILE -> "the file is cut short";
            case BAD_RECORD -> scan.endReason;
            case SEGMENT_END -> "segment end";
        };
    }

    /** Zeros everything from the torn spot on, keeping the segment's preallocated size. */
    private void repairTornTail(SegmentScan scan) throws IOException {
        long offset = scan.endOffset;
        long blockStart = offset - offset % RecordFormat.BLOCK_BYTES;
        String file = scan.file;
        long size = Files.size(Path.of(file));
        LOG.log(System.Logger.Level.WARNING, "WAL {0}: torn tail at offset {1} ({2}); truncating the {3} bytes after it",
                file, offset, describe(scan), Math.max(0, size - offset));
        OpenFile fd = posix.open(Path.of(file), Posix.O_WRONLY | Posix.O_CLOEXEC, 0);
        try {
            try (FileChannel channel = FileChannel.open(Path.of(file), StandardOpenOption.READ)) {
                ByteBuffer block = ByteBuffer.allocateDirect(RecordFormat.BLOCK_BYTES);
                channel.read(block, blockStart);
                for (int i = (int) (offset - blockStart); i < RecordFormat.BLOCK_BYTES; i++) {
                    block.put(i, (byte) 0);
                }
                posix.pwriteFully(fd, MemorySegment.ofBuffer(block.clear()), blockStart);
            }
            long rest = blockStart + RecordFormat.BLOCK_BYTES;
            long end = Math.max(size, options.segmentBytes());
            if (rest < size && !posix.punchHole(fd, rest, size - rest)) {
                zeroRange(fd, rest, size);
            }
            if (rest < end) {
                posix.allocate(fd, rest, end - rest);
            }
            posix.fdatasync(fd);
        } finally {
            posix.close(fd);
        }
    }

    private void writeMissingEnd(SegmentScan scan, long nextSequence) throws IOException {
        long offset = RecordFormat.roundUpToBlock(scan.endOffset);
        LOG.log(System.Logger.Level.WARNING, "WAL {0}: closing it with its end record at offset {1}", scan.file, offset);
        try (Arena arena = Arena.ofConfined()) {
            BatchBuffer end = new BatchBuffer(arena, RecordFormat.BLOCK_BYTES);
            end.putSegmentEnd(nextSequence);
            OpenFile fd = posix.open(Path.of(scan.file), Posix.O_WRONLY | Posix.O_CLOEXEC, 0);
            try {
                posix.pwriteFully(fd, end.sealedWrite(), offset);
                posix.fdatasync(fd);
            } finally {
                posix.close(fd);
            }
        }
    }

    private void zeroRange(OpenFile fd, long from, long to) throws IOException {
        MemorySegment zeros = Arena.ofAuto().allocate(1 << 20);
        for (long at = from; at < to; at += zeros.byteSize()) {
            posix.pwriteFully(fd, zeros.asSlice(0, Math.min(zeros.byteSize(), to - at)), at);
        }
    }

    private Recovered replay(List<SegmentName> names, List<SegmentScan> scans) throws CorruptWalException {
        SnapshotMarker snapshot = SnapshotMarker.NONE;
        HardState hardState = HardState.EMPTY;
        List<SegmentScan.EntryItem> entries = new ArrayList<>();
        for (SegmentScan scan : scans) {
            snapshot = applySnapshot(snapshot, scan.header.snapshot(), entries);
            hardState = scan.header.hardState();
            // instanceof, not a switch on the type: this loop runs interpreted for a while at a
            // restart, and a pattern switch's invokedynamic is a method handle call per record there.
            for (SegmentScan.Item item : scan.items) {
                if (item instanceof SegmentScan.EntryItem e) {
                    appendReplacingSuffix(entries, e, scan.file);
                } else if (item instanceof SegmentScan.HardStateItem h) {
                    hardState = h.state();
                } else {
                    snapshot = applySnapshot(snapshot, ((SegmentScan.SnapshotItem) item).marker(), entries);
                }
            }
        }
        SegmentName first = names.getFirst();
        if (first.sequence() != 0 && first.firstIndex() > snapshot.index() + 1) {
            throw new CorruptWalException(directory.resolve(first.fileName()) + ": older segments are missing: the log starts at index "
                    + first.firstIndex() + " but the newest snapshot covers only up to " + snapshot.index());
        }
        if (!entries.isEmpty() && snapshot.index() > 0 && entries.getFirst().index() != snapshot.index() + 1) {
            throw new CorruptWalException(directory + ": entries " + (snapshot.index() + 1) + " to "
                    + (entries.getFirst().index() - 1) + " are missing after the snapshot at " + snapshot.index());
        }
        long leaveOutThrough = keepFromIndex - 1;
        int leftOut = 0;
        while (leftOut < entries.size() && entries.get(leftOut).index() <= leaveOutThrough) {
            leftOut++;
        }
        SnapshotMarker entriesAfter = snapshot;
        if (leftOut > 0) {
            SegmentScan.EntryItem lastLeftOut = entries.get(leftOut - 1);
            entriesAfter = new SnapshotMarker(lastLeftOut.term(), lastLeftOut.index());
        }
        List<Entry> kept = new ArrayList<>(entries.size() - leftOut);
        for (SegmentScan.EntryItem item : entries.subList(leftOut, entries.size())) {
            kept.add(item.toEntry());
        }
        return new Recovered(hardState, snapshot, entriesAfter, kept);
    }

    /** A newer snapshot makes every entry it covers unnecessary; what follows it continues from it. */
    private static SnapshotMarker applySnapshot(SnapshotMarker current, SnapshotMarker marker,
            List<SegmentScan.EntryItem> entries) {
        if (marker.index() <= current.index()) {
            return current;
        }
        entries.removeIf(e -> e.index() <= marker.index());
        return marker;
    }

    private static void appendReplacingSuffix(List<SegmentScan.EntryItem> entries, SegmentScan.EntryItem entry,
            String file) throws CorruptWalException {
        if (!entries.isEmpty()) {
            long first = entries.getFirst().index();
            long last = entries.getLast().index();
            if (entry.index() > last + 1) {
                throw new CorruptWalException(file + ": offset " + entry.offset() + ": entry " + entry.index()
                        + " follows entry " + last + "; entries in between are missing");
            }
            if (entry.index() <= last) {
                // A conflicting suffix was replaced: everything from this index on is superseded.
                int keep = (int) Math.max(0, entry.index() - first);
                entries.subList(keep, entries.size()).clear();
            }
        }
        entries.add(entry);
    }
}
