package io.cairn.engine.node;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Where a leader's plain puts are encoded for its log: chunks of {@link #CHUNK_BYTES} that are reused once every entry
 * in them has left the in-memory log, instead of an array per put (issue #21: the encoded entry was about 175 of the
 * put path's 417 bytes, and the log keeps it up to a WAL release, long enough to be copied by the collector too).
 *
 * <p>Why reuse is safe here: an entry's bytes are read by the WAL append and the transport's encode (both during the
 * Raft loop's cycle), by the apply thread (before the entry's index is applied) and by the log itself. A chunk is
 * handed back only by {@link #release}, which the member calls when the WAL release drops the log's prefix up to an
 * index the tree has applied and made durable; each chunk is marked with the log's last index once the batches placed
 * in it were proposed, an upper bound on the index of any entry of it that is in the log (a leader places its
 * proposals at the end of its log; an entry the log later truncated is in no list). Raft's own lists (unstable tail,
 * Ready) let go of an entry long before that.
 *
 * <p>Owned by the Raft loop's thread: placements and releases both happen there. Entries over {@link #ENTRY_BYTES_MAX}
 * get an array of their own, as before, and so does anything a member proposes while it does not lead (those are
 * forwarded, and the leader's copy is what the log keeps).
 */
final class LogArena {
    /**
     * One G1 region less the array's header: at the 1 MiB regions of every heap bin/cairn gives (at most 2 GiB) each chunk
     * is a humongous object, placed in a region of its own in the old generation and never copied. Chunks of 256 KiB were
     * young objects that lived for a whole release period: every young collection copied them, and G1 kept 35-50 MB more
     * heap committed for it (engine/README.md, "Allocation per put", eighth round). At larger regions (a heap of 4 GiB or
     * more) a chunk is an ordinary object again, which costs memory, not correctness.
     */
    static final int CHUNK_BYTES = (1 << 20) - 16;
    /** Larger entries get an array of their own: at most a sixteenth of a chunk is left unused at its end. */
    static final int ENTRY_BYTES_MAX = 64 << 10;
    /** The mark of a chunk whose last batch is not proposed yet: never released. */
    private static final long MARK_PENDING = Long.MAX_VALUE;

    private static final class Chunk {
        final byte[] bytes = new byte[CHUNK_BYTES];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        long mark = MARK_PENDING;
    }

    private final int keptFreeChunksMax;
    /** Chunks filled, oldest first; marked, except those filled by the batch being placed. */
    private final ArrayDeque<Chunk> filled = new ArrayDeque<>();
    private final ArrayDeque<Chunk> free = new ArrayDeque<>();
    /** Chunks filled since the last {@link #placedUpTo}: they take its mark. */
    private final List<Chunk> awaitingMark = new ArrayList<>();
    private Chunk current;
    private int position;
    /** Whether {@link #current} took entries since the last {@link #placedUpTo}: its mark is not final. */
    private boolean placedSinceMark;
    private long chunksMade;

    /** @param keptBytesMax free chunks kept for reuse beyond what is in use: a bound on the idle arena's size */
    LogArena(final long keptBytesMax) {
        this.keptFreeChunksMax = (int) Math.min(Integer.MAX_VALUE, keptBytesMax / CHUNK_BYTES);
    }

    /**
     * The buffer to encode an entry of at most {@code lengthMax} bytes into, from {@link #offset()}; null when the
     * entry is too large for a chunk. The caller encodes, then calls {@link #placed} with the length it wrote.
     */
    UnsafeBuffer reserve(final int lengthMax) {
        if (lengthMax > ENTRY_BYTES_MAX) {
            return null;
        }
        if (current == null || position + lengthMax > CHUNK_BYTES) {
            if (current != null) {
                if (placedSinceMark) {
                    current.mark = MARK_PENDING; // holds entries of the batch being placed
                    awaitingMark.add(current);
                }
                filled.addLast(current);
            }
            current = takeChunk();
            position = 0;
        }
        return current.buffer;
    }

    /** Where the reserved space begins in the buffer {@link #reserve} returned. */
    int offset() {
        return position;
    }

    /** The array behind the buffer {@link #reserve} returned. */
    byte[] array() {
        return current.bytes;
    }

    /** {@code length} bytes were written from {@link #offset()}. */
    void placed(final int length) {
        assert position + length <= CHUNK_BYTES;
        position += length;
        placedSinceMark = true;
    }

    /** The batches placed so far were proposed; the log's last index is now {@code lastIndex}. */
    void placedUpTo(final long lastIndex) {
        for (int i = 0; i < awaitingMark.size(); i++) {
            awaitingMark.get(i).mark = lastIndex;
        }
        awaitingMark.clear();
        if (current != null && placedSinceMark) {
            current.mark = lastIndex;
        }
        placedSinceMark = false;
    }

    /**
     * The log dropped every entry up to {@code index}, which the tree has applied and made durable: the filled chunks
     * marked at or below it are reused (the one being filled stays in use).
     */
    void release(final long index) {
        while (!filled.isEmpty() && filled.peekFirst().mark <= index) {
            final Chunk chunk = filled.pollFirst();
            if (free.size() < keptFreeChunksMax) {
                chunk.mark = MARK_PENDING;
                free.addLast(chunk);
            }
        }
    }

    private Chunk takeChunk() {
        final Chunk reused = free.pollFirst();
        if (reused != null) {
            return reused;
        }
        chunksMade++;
        return new Chunk();
    }

    /** Chunks made since this arena was (tests and figures: a steady load makes none once the first release ran). */
    long chunksMade() {
        return chunksMade;
    }

    /** Chunks waiting for a release. */
    int filledChunks() {
        return filled.size();
    }
}
