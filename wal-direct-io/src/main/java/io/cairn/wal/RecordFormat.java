package io.cairn.wal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * How records are framed inside a segment.
 *
 * <pre>
 * record = u32 bodyLength | u32 crc32c(kind byte + body) | u8 kind | body       (little-endian)
 * kind   = low 7 bits: SEGMENT_HEADER, ENTRY, HARD_STATE, SNAPSHOT, SEGMENT_END
 *          high bit  : FIRST_IN_WRITE, set on the first record of every write
 * </pre>
 *
 * Every write starts on a block boundary and ends padded with zeros to one, so a write never rewrites a
 * block that holds acknowledged records. A record never starts in the last {@code HEADER_BYTES - 1}
 * bytes of a block; a zero header inside a block means "continue at the next block", a zero header
 * on a block boundary means "end of data". Because writes start on block boundaries and mark their
 * first record, recovery can ask "did any complete write land after this bad spot?" by checking one
 * header per block: yes means damage, no means a torn tail.
 */
final class RecordFormat {
    static final int BLOCK_BYTES = 4096;
    static final int HEADER_BYTES = 9;
    static final int KIND_MASK = 0x7f;
    static final int FIRST_IN_WRITE = 0x80;

    static final int SEGMENT_HEADER = 1;
    static final int ENTRY = 2;
    static final int HARD_STATE = 3;
    static final int SNAPSHOT = 4;
    static final int SEGMENT_END = 5;

    static final int ENTRY_FIXED_BODY_BYTES = 16; // term, index; payload follows
    static final int HARD_STATE_BODY_BYTES = 24; // term, vote, commit
    static final int SNAPSHOT_BODY_BYTES = 16; // term, index
    static final int SEGMENT_END_BODY_BYTES = 8; // next sequence
    static final int SEGMENT_HEADER_FIXED_BODY_BYTES = 64; // wal id, seq, first index, snapshot(2), hard state(3); directory follows

    private RecordFormat() {
    }

    static long roundUpToBlock(long bytes) {
        return (bytes + BLOCK_BYTES - 1) & -(long) BLOCK_BYTES;
    }

    /** Where a record may start at or after {@code position}: never in a block's last HEADER_BYTES-1 bytes. */
    static int recordStart(int position) {
        int leftInBlock = BLOCK_BYTES - (position % BLOCK_BYTES);
        return leftInBlock < HEADER_BYTES ? position + leftInBlock : position;
    }

    /** Upper bound of the bytes a record with this body takes, including a skip to the next block. */
    static int worstCaseBytes(int bodyBytes) {
        return HEADER_BYTES - 1 + HEADER_BYTES + bodyBytes;
    }

    /** CRC32C of the kind byte and body of the record at {@code offset}; leaves position and limit as found. */
    static int checksum(ByteBuffer buffer, int offset, int bodyBytes, CRC32C crc) {
        int oldPosition = buffer.position();
        int oldLimit = buffer.limit();
        buffer.limit(offset + HEADER_BYTES + bodyBytes);
        buffer.position(offset + 8);
        crc.reset();
        crc.update(buffer);
        buffer.limit(oldLimit);
        buffer.position(oldPosition);
        return (int) crc.getValue();
    }

    static boolean isZeroHeader(ByteBuffer buffer, int offset) {
        return buffer.getLong(offset) == 0 && buffer.get(offset + 8) == 0;
    }

    static String kindName(int kind) {
        return switch (kind & KIND_MASK) {
            case SEGMENT_HEADER -> "segment header";
            case ENTRY -> "entry";
            case HARD_STATE -> "hard state";
            case SNAPSHOT -> "snapshot marker";
            case SEGMENT_END -> "segment end";
            default -> "unknown kind " + (kind & KIND_MASK);
        };
    }
}
