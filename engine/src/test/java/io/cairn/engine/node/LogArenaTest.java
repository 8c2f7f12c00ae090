package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The log arena hands a chunk out again only once the log has let go of every entry in it. */
class LogArenaTest {
    private static final int ENTRY_BYTES = 1_000;

    /** Places one batch of {@code count} entries as proposals at indexes after {@code lastIndex}; returns the new last. */
    private static long placeBatch(final LogArena arena, final long lastIndex, final int count) {
        for (int i = 0; i < count; i++) {
            arena.reserve(ENTRY_BYTES);
            arena.placed(ENTRY_BYTES);
        }
        arena.placedUpTo(lastIndex + count);
        return lastIndex + count;
    }

    @Test
    void aChunkIsReusedOnlyOnceTheLogReleasedEveryEntryInIt() {
        final LogArena arena = new LogArena(64L << 20);
        final int perChunk = LogArena.CHUNK_BYTES / ENTRY_BYTES;
        arena.reserve(ENTRY_BYTES);
        final byte[] first = arena.array();
        long last = placeBatch(arena, 0, perChunk); // fills the first chunk: indexes 1..perChunk
        last = placeBatch(arena, last, 1); // into a second chunk
        final byte[] second = arena.array();
        assertNotSame(first, second);
        assertEquals(1, arena.filledChunks());

        arena.release(perChunk - 1); // the first chunk's last entry is still in the log
        last = placeBatch(arena, last, perChunk); // fills the second chunk, a third one begins
        assertEquals(3, arena.chunksMade(), "nothing was released: a new chunk");

        arena.release(perChunk); // every entry of the first chunk has left the log
        placeBatch(arena, last, perChunk); // the third chunk fills; the next one is the first, reused
        assertSame(first, arena.array());
        assertEquals(3, arena.chunksMade());
    }

    @Test
    void aChunkFilledByABatchNotYetProposedIsNotReleased() {
        final LogArena arena = new LogArena(64L << 20);
        final int perChunk = LogArena.CHUNK_BYTES / ENTRY_BYTES;
        long last = placeBatch(arena, 0, 10);
        // A batch that crosses into a new chunk; before it is proposed, a release runs far past everything.
        for (int i = 0; i < perChunk; i++) {
            arena.reserve(ENTRY_BYTES);
            arena.placed(ENTRY_BYTES);
        }
        arena.release(Long.MAX_VALUE - 1);
        assertEquals(1, arena.filledChunks(), "the filled chunk holds entries of the batch being placed");
        arena.placedUpTo(last + perChunk);
        arena.release(last + perChunk - 1);
        assertEquals(1, arena.filledChunks());
        arena.release(last + perChunk);
        assertEquals(0, arena.filledChunks());
    }

    @Test
    void anEntryTooLargeForAChunkGetsNone() {
        final LogArena arena = new LogArena(64L << 20);
        assertNull(arena.reserve(LogArena.ENTRY_BYTES_MAX + 1));
        assertEquals(0, arena.chunksMade());
    }

    @Test
    void freeChunksBeyondTheKeptBytesAreLeftToTheCollector() {
        final LogArena arena = new LogArena(2L * LogArena.CHUNK_BYTES);
        final int perChunk = LogArena.CHUNK_BYTES / ENTRY_BYTES;
        long last = 0;
        for (int i = 0; i < 5; i++) {
            last = placeBatch(arena, last, perChunk);
        }
        arena.release(last);
        for (int i = 0; i < 5; i++) {
            last = placeBatch(arena, last, perChunk);
        }
        assertEquals(5 + 5 - 2, arena.chunksMade(), "two chunks kept for reuse, the rest made again");
    }

    /**
     * The chunk's size is chosen for G1 (engine/README.md, "Allocation per put", eighth round): larger than half a region,
     * so each chunk is a humongous object the collector never copies, and within one region with the array's header.
     * This JVM's heap (the tests' -Xmx2g) is the largest bin/cairn gives a member, with the same region size.
     */
    @Test
    void aChunkIsAHumongousObjectOfOneG1Region() {
        final com.sun.management.HotSpotDiagnosticMXBean hotSpot =
            java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
        assertEquals("true", hotSpot.getVMOption("UseG1GC").getValue(), "the member's collector");
        final long regionBytes = Long.parseLong(hotSpot.getVMOption("G1HeapRegionSize").getValue());
        final long arrayHeaderBytes = 16;
        assertTrue(LogArena.CHUNK_BYTES > regionBytes / 2, "a chunk of " + LogArena.CHUNK_BYTES
            + " bytes is humongous at regions of " + regionBytes);
        assertTrue(LogArena.CHUNK_BYTES + arrayHeaderBytes <= regionBytes, "a chunk of " + LogArena.CHUNK_BYTES
            + " bytes fits one region of " + regionBytes);
    }
}
