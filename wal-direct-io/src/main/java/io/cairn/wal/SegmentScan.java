package io.cairn.wal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Decodes one segment's bytes: its header, its records in order, and where and why its data ends.
 * It judges nothing across segments; {@link WalRecovery} decides whether an odd end is a torn tail
 * or damage. Entry payloads are not copied: they stay in the scanned bytes.
 */
final class SegmentScan {
    enum End {
        /** A zero header on a block boundary: the writer stopped here. */
        CLEAN,
        /** The segment was closed by rotation. */
        SEGMENT_END,
        /** A record whose header or checksum is wrong. */
        BAD_RECORD,
        /** The file is shorter than a segment and stops inside or right after the data. */
        SHORT_FILE
    }

    sealed interface Item permits EntryItem, HardStateItem, SnapshotItem {
    }

    /**
     * An entry record, its payload still in the scanned bytes: recovery copies out only the
     * payloads it returns ({@link #toEntry}), while those bytes are mapped.
     */
    record EntryItem(long term, long index, ByteBuffer data, int payloadAt, int payloadBytes, long offset)
            implements Item {
        Entry toEntry() {
            byte[] payload = new byte[payloadBytes];
            data.get(payloadAt, payload);
            return new Entry(term, index, payload);
        }
    }

    record HardStateItem(HardState state) implements Item {
    }

    record SnapshotItem(SnapshotMarker marker) implements Item {
    }

    final String file;
    final SegmentHeader header; // null when the first record is not a valid header
    final List<Item> items = new ArrayList<>();
    End end;
    long endOffset;
    String endReason = "";
    long nextSequence = -1; // from the segment end record
    /** First block-aligned complete write found after {@link #endOffset}, or -1. */
    long writeAfterEndOffset = -1;

    private final CRC32C crc = new CRC32C();

    private SegmentScan(String file, ByteBuffer data, int length, long segmentBytes) {
        this.file = file;
        this.header = readHeader(data, length);
        if (header == null) {
            end = End.BAD_RECORD;
            endOffset = 0;
            endReason = "no valid segment header";
            return;
        }
        readRecords(data, length, segmentBytes);
        if (end != End.SEGMENT_END) {
            writeAfterEndOffset = findWriteAfter(data, length, endOffset);
        }
    }

    /** Scans {@code length} bytes of {@code data} (little-endian, position 0) read from {@code file}. */
    static SegmentScan scan(String file, ByteBuffer data, int length, long segmentBytes) {
        return new SegmentScan(file, data, length, segmentBytes);
    }

    boolean holdsData() {
        return !items.isEmpty();
    }

    private SegmentHeader readHeader(ByteBuffer data, int length) {
        if (length < RecordFormat.HEADER_BYTES) {
            return null;
        }
        int kind = data.get(8) & 0xff;
        int body = data.getInt(0);
        if (kind != (RecordFormat.SEGMENT_HEADER | RecordFormat.FIRST_IN_WRITE)
                || body < RecordFormat.SEGMENT_HEADER_FIXED_BODY_BYTES
                || body > length - RecordFormat.HEADER_BYTES
                || RecordFormat.checksum(data, 0, body, crc) != data.getInt(4)) {
            return null;
        }
        int b = RecordFormat.HEADER_BYTES;
        byte[] directory = new byte[body - RecordFormat.SEGMENT_HEADER_FIXED_BODY_BYTES];
        data.get(b + 64, directory);
        endOffset = RecordFormat.HEADER_BYTES + body;
        return new SegmentHeader(data.getLong(b), data.getLong(b + 8), data.getLong(b + 16),
                new SnapshotMarker(data.getLong(b + 24), data.getLong(b + 32)),
                new HardState(data.getLong(b + 40), data.getLong(b + 48), data.getLong(b + 56)),
                new String(directory, StandardCharsets.UTF_8));
    }

    private void readRecords(ByteBuffer data, int length, long segmentBytes) {
        int position = (int) endOffset;
        // Each pass consumes a record or skips to a later block, so the loop ends within length steps.
        // The pass is a method of its own so the JIT compiles it after a few hundred records, as it
        // compiles any method called that often; a loop body is compiled only by on-stack
        // replacement, after tens of thousands of passes in the interpreter (issue #21: a restart).
        for (int steps = 0; steps <= length; steps++) {
            position = readRecord(data, position, length, segmentBytes);
            if (position < 0) {
                return;
            }
        }
        throw new AssertionError("scan of " + file + " did not end within " + length + " steps");
    }

    /** Reads the record at or after {@code position}: returns where the next one may start, or -1 at the end. */
    private int readRecord(ByteBuffer data, int at, int length, long segmentBytes) {
        int position = RecordFormat.recordStart(at);
        if (position + RecordFormat.HEADER_BYTES > length) {
            stop(length < segmentBytes ? End.SHORT_FILE : End.CLEAN, position, "file ends");
            return -1;
        }
        if (RecordFormat.isZeroHeader(data, position)) {
            if (position % RecordFormat.BLOCK_BYTES == 0) {
                stop(End.CLEAN, position, "");
                return -1;
            }
            return (int) RecordFormat.roundUpToBlock(position);
        }
        int body = data.getInt(position);
        int kind = data.get(position + 8) & RecordFormat.KIND_MASK;
        String problem = checkFrame(data, position, body, kind, length);
        if (problem != null) {
            stop(End.BAD_RECORD, position, problem);
            return -1;
        }
        int b = position + RecordFormat.HEADER_BYTES;
        switch (kind) {
            case RecordFormat.ENTRY -> items.add(new EntryItem(data.getLong(b), data.getLong(b + 8), data, b + 16,
                    body - RecordFormat.ENTRY_FIXED_BODY_BYTES, position));
            case RecordFormat.HARD_STATE -> items.add(new HardStateItem(
                    new HardState(data.getLong(b), data.getLong(b + 8), data.getLong(b + 16))));
            case RecordFormat.SNAPSHOT -> items.add(new SnapshotItem(
                    new SnapshotMarker(data.getLong(b), data.getLong(b + 8))));
            case RecordFormat.SEGMENT_END -> {
                nextSequence = data.getLong(b);
                stop(End.SEGMENT_END, b + body, "");
                return -1;
            }
            default -> throw new AssertionError("checkFrame admitted kind " + kind);
        }
        return b + body;
    }

    /** Returns why the frame at {@code position} is not a valid record, or null if it is. */
    private String checkFrame(ByteBuffer data, int position, int body, int kind, int length) {
        int minimumBody = switch (kind) {
            case RecordFormat.ENTRY -> RecordFormat.ENTRY_FIXED_BODY_BYTES;
            case RecordFormat.HARD_STATE -> RecordFormat.HARD_STATE_BODY_BYTES;
            case RecordFormat.SNAPSHOT -> RecordFormat.SNAPSHOT_BODY_BYTES;
            case RecordFormat.SEGMENT_END -> RecordFormat.SEGMENT_END_BODY_BYTES;
            default -> -1;
        };
        if (minimumBody < 0) {
            return "record of " + RecordFormat.kindName(kind);
        }
        boolean fixedSize = kind != RecordFormat.ENTRY;
        if (body < minimumBody || (fixedSize && body != minimumBody)) {
            return RecordFormat.kindName(kind) + " record with a body of " + body + " bytes";
        }
        if (body > length - position - RecordFormat.HEADER_BYTES) {
            return RecordFormat.kindName(kind) + " record of " + body + " bytes runs past the end of the file";
        }
        if (RecordFormat.checksum(data, position, body, crc) != data.getInt(position + 4)) {
            return "checksum mismatch (" + RecordFormat.kindName(kind) + " record)";
        }
        return null;
    }

    private void stop(End how, long offset, String reason) {
        end = how;
        endOffset = offset;
        endReason = reason;
    }

    /** The first block boundary after {@code offset} where a complete write (not a segment header) starts. */
    private long findWriteAfter(ByteBuffer data, int length, long offset) {
        for (long block = offset / RecordFormat.BLOCK_BYTES + 1; ; block++) {
            long start = block * RecordFormat.BLOCK_BYTES;
            if (start + RecordFormat.HEADER_BYTES > length) {
                return -1;
            }
            int p = (int) start;
            int kind = data.get(p + 8) & 0xff;
            if ((kind & RecordFormat.FIRST_IN_WRITE) == 0 || (kind & RecordFormat.KIND_MASK) == RecordFormat.SEGMENT_HEADER) {
                continue;
            }
            if (checkFrame(data, p, data.getInt(p), kind & RecordFormat.KIND_MASK, length) == null) {
                return start;
            }
        }
    }
}
