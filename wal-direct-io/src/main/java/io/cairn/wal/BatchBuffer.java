package io.cairn.wal;

import io.cairn.posix.NativePosix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One write's worth of encoded records in block-aligned memory (O_DIRECT needs aligned buffers),
 * plus the completions to fire once that write is durable. Owned by whoever holds the WAL's append
 * lock while filling, then by the flusher while writing; never by two threads at once.
 */
final class BatchBuffer {
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Zeros to pad from: a slice to fill was an object per write (issue #21). */
    private static final MemorySegment ZEROS = MemorySegment.ofArray(new byte[RecordFormat.BLOCK_BYTES]);

    private final MemorySegment memory;
    /**
     * {@link #sealedWrite}'s slices by length in blocks, each made at its first use: a slice per write was 40 bytes per
     * put whenever the JIT compiled the write into a method too large for escape analysis (issue #21).
     */
    private final MemorySegment[] writesByBlocks;
    private final ByteBuffer view;
    private final CRC32C crc = new CRC32C();
    private final List<Completion> completions = new ArrayList<>();
    private int position;
    private int records;
    private long logLastIndex = -1; // the log's last index once this write is durable, -1 if unchanged
    /** The last hard state in this write, as its three numbers (no object per write, issue #21). */
    private boolean hasHardState;
    private long hardStateTerm;
    private long hardStateVote;
    private long hardStateCommit;
    private SnapshotMarker lastSnapshot;
    private int pendingHeader; // the record between begin() and finish()
    private int pendingBody;

    /**
     * The memory comes zeroed from the kernel and lives until {@code arena} closes: only the pages
     * writes reach become resident (two 4 MiB buffers allocated with {@link Arena#allocate} were 8 MiB
     * of a member's resident set from its start, and zeroing them 13-20 ms of it).
     */
    BatchBuffer(Arena arena, int capacityBytes) throws IOException {
        if (capacityBytes <= 0 || capacityBytes % RecordFormat.BLOCK_BYTES != 0) {
            throw new IllegalArgumentException("batch capacity must be a positive multiple of "
                    + RecordFormat.BLOCK_BYTES + ", got " + capacityBytes);
        }
        this.memory = NativePosix.INSTANCE.mapAnonymous(capacityBytes, arena); // page-aligned: blocks are too
        this.view = memory.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        this.writesByBlocks = new MemorySegment[capacityBytes / RecordFormat.BLOCK_BYTES + 1];
    }

    int capacityBytes() {
        return (int) memory.byteSize();
    }

    boolean isEmpty() {
        return position == 0;
    }

    int usedBytes() {
        return position;
    }

    int records() {
        return records;
    }

    /** Bytes this write occupies on disk: the records padded with zeros to a block boundary. */
    int alignedBytes() {
        return (int) RecordFormat.roundUpToBlock(position);
    }

    boolean hasRoomFor(int worstCaseBytes) {
        return position + worstCaseBytes <= capacityBytes();
    }

    long logLastIndex() {
        return logLastIndex;
    }

    void setLogLastIndex(long index) {
        logLastIndex = index;
    }

    /** Whether this write holds a hard state; {@link #hardStateTerm()} and the next two are then its last one. */
    boolean hasHardState() {
        return hasHardState;
    }

    long hardStateTerm() {
        return hardStateTerm;
    }

    long hardStateVote() {
        return hardStateVote;
    }

    long hardStateCommit() {
        return hardStateCommit;
    }

    SnapshotMarker lastSnapshot() {
        return lastSnapshot;
    }

    List<Completion> completions() {
        return completions;
    }

    void addCompletion(Completion completion) {
        completions.add(completion);
    }

    void putEntry(EntrySource entries, int i) {
        int payloadBytes = entries.payloadBytes(i);
        int body = begin(RecordFormat.ENTRY, RecordFormat.ENTRY_FIXED_BODY_BYTES + payloadBytes);
        memory.set(LONG_LE, body, entries.term(i));
        memory.set(LONG_LE, body + 8, entries.index(i));
        entries.copyPayload(i, memory, body + 16); // exactly payloadBytes, into the room begin() made
        finish();
    }

    void putHardState(long term, long vote, long commit) {
        int body = begin(RecordFormat.HARD_STATE, RecordFormat.HARD_STATE_BODY_BYTES);
        memory.set(LONG_LE, body, term);
        memory.set(LONG_LE, body + 8, vote);
        memory.set(LONG_LE, body + 16, commit);
        finish();
        hasHardState = true;
        hardStateTerm = term;
        hardStateVote = vote;
        hardStateCommit = commit;
    }

    void putSnapshot(SnapshotMarker marker) {
        int body = begin(RecordFormat.SNAPSHOT, RecordFormat.SNAPSHOT_BODY_BYTES);
        memory.set(LONG_LE, body, marker.term());
        memory.set(LONG_LE, body + 8, marker.index());
        finish();
        lastSnapshot = marker;
    }

    void putSegmentHeader(SegmentHeader header) {
        byte[] directory = header.directory().getBytes(StandardCharsets.UTF_8);
        int body = begin(RecordFormat.SEGMENT_HEADER, RecordFormat.SEGMENT_HEADER_FIXED_BODY_BYTES + directory.length);
        memory.set(LONG_LE, body, header.walId());
        memory.set(LONG_LE, body + 8, header.sequence());
        memory.set(LONG_LE, body + 16, header.firstIndex());
        memory.set(LONG_LE, body + 24, header.snapshot().term());
        memory.set(LONG_LE, body + 32, header.snapshot().index());
        memory.set(LONG_LE, body + 40, header.hardState().term());
        memory.set(LONG_LE, body + 48, header.hardState().vote());
        memory.set(LONG_LE, body + 56, header.hardState().commit());
        MemorySegment.copy(directory, 0, memory, ValueLayout.JAVA_BYTE, body + 64, directory.length);
        finish();
    }

    void putSegmentEnd(long nextSequence) {
        int body = begin(RecordFormat.SEGMENT_END, RecordFormat.SEGMENT_END_BODY_BYTES);
        memory.set(LONG_LE, body, nextSequence);
        finish();
    }

    /** Reserves a record at the next allowed start; returns where its body goes. */
    private int begin(int kind, int bodyBytes) {
        int start = RecordFormat.recordStart(position);
        if (start + RecordFormat.HEADER_BYTES + bodyBytes > capacityBytes()) {
            throw new IllegalStateException("record of " + bodyBytes + " bytes overflows the batch buffer; caller must check room");
        }
        zero(position, start - position); // the rest of a block too small for a header
        int flags = position == 0 ? RecordFormat.FIRST_IN_WRITE : 0;
        memory.set(INT_LE, start, bodyBytes);
        memory.set(ValueLayout.JAVA_BYTE, start + 8, (byte) (kind | flags));
        pendingHeader = start;
        pendingBody = bodyBytes;
        return start + RecordFormat.HEADER_BYTES;
    }

    private void finish() {
        int crcValue = RecordFormat.checksum(view, pendingHeader, pendingBody, crc);
        memory.set(INT_LE, pendingHeader + 4, crcValue);
        position = pendingHeader + RecordFormat.HEADER_BYTES + pendingBody;
        records++;
    }

    /** The bytes to write: the records, then zeros up to the block boundary. */
    MemorySegment sealedWrite() {
        int aligned = alignedBytes();
        zero(position, aligned - position);
        final int blocks = aligned / RecordFormat.BLOCK_BYTES;
        MemorySegment write = writesByBlocks[blocks];
        if (write == null) {
            write = memory.asSlice(0, aligned);
            writesByBlocks[blocks] = write;
        }
        return write;
    }

    private void zero(int offset, int bytes) {
        MemorySegment.copy(ZEROS, 0, memory, offset, bytes); // less than a block, always
    }

    void clear() {
        position = 0;
        records = 0;
        logLastIndex = -1;
        hasHardState = false;
        lastSnapshot = null;
        completions.clear();
    }
}
