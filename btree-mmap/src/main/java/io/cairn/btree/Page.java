package io.cairn.btree;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The common page header. Every page starts with it; {@code base} is the page's byte offset
 * inside {@code segment} (the whole map for committed pages, 0 for a dirty page buffer), so no
 * slice is allocated to read a page.
 *
 * <pre>
 * 0  u64 pgno        the page's own number (a misplaced write is detectable)
 * 8  u16 flags       BRANCH | LEAF | OVERFLOW | META | FREELIST
 * 10 u16 count       entries (branch/leaf)
 * 12 u16 upper       start of the entry data area; entries grow down from the page end
 * 14 u16 prefix      leaf: length of the key prefix all its entries share, kept once in the
 *                    page's last bytes (0 on every other page, and on leaves written before
 *                    format version 2)
 * 16 u32 runPages    pages in this run (overflow and freelist runs span several pages)
 * 20 u32 idCount     freelist: number of u64 page ids following the header
 * 24 ...             slot array (u16 entry offsets, sorted by key) or run payload
 * </pre>
 * All integers are little-endian, the order of the machines we run on (as LMDB does).
 */
final class Page {
    static final int SIZE_BYTES = 4096;
    static final int SHIFT = 12;
    static final int HEADER_BYTES = 24; // clearHeader writes it as three u64s

    static final int FLAG_BRANCH = 1;
    static final int FLAG_LEAF = 2;
    static final int FLAG_OVERFLOW = 4;
    static final int FLAG_META = 8;
    static final int FLAG_FREELIST = 16;

    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final int OFF_PGNO = 0;
    private static final int OFF_FLAGS = 8;
    private static final int OFF_COUNT = 10;
    private static final int OFF_UPPER = 12;
    private static final int OFF_PREFIX = 14;
    private static final int OFF_RUN_PAGES = 16;
    private static final int OFF_ID_COUNT = 20;

    private Page() {
    }

    static int u16(MemorySegment segment, long offset) {
        return Short.toUnsignedInt(segment.get(U16, offset));
    }

    static void putU16(MemorySegment segment, long offset, int value) {
        assert value >= 0 && value <= 0xFFFF : value;
        segment.set(U16, offset, (short) value);
    }

    static long pgno(MemorySegment segment, long base) {
        return segment.get(U64, base + OFF_PGNO);
    }

    static void setPgno(MemorySegment segment, long base, long pgno) {
        segment.set(U64, base + OFF_PGNO, pgno);
    }

    static int flags(MemorySegment segment, long base) {
        return u16(segment, base + OFF_FLAGS);
    }

    static void setFlags(MemorySegment segment, long base, int flags) {
        putU16(segment, base + OFF_FLAGS, flags);
    }

    static int count(MemorySegment segment, long base) {
        return u16(segment, base + OFF_COUNT);
    }

    static void setCount(MemorySegment segment, long base, int count) {
        putU16(segment, base + OFF_COUNT, count);
    }

    static int upper(MemorySegment segment, long base) {
        return u16(segment, base + OFF_UPPER);
    }

    static void setUpper(MemorySegment segment, long base, int upper) {
        putU16(segment, base + OFF_UPPER, upper);
    }

    static int prefixLength(MemorySegment segment, long base) {
        return u16(segment, base + OFF_PREFIX);
    }

    static void setPrefixLength(MemorySegment segment, long base, int length) {
        putU16(segment, base + OFF_PREFIX, length);
    }

    static int runPages(MemorySegment segment, long base) {
        return segment.get(U32, base + OFF_RUN_PAGES);
    }

    static void setRunPages(MemorySegment segment, long base, int pages) {
        segment.set(U32, base + OFF_RUN_PAGES, pages);
    }

    static int idCount(MemorySegment segment, long base) {
        return segment.get(U32, base + OFF_ID_COUNT);
    }

    static void setIdCount(MemorySegment segment, long base, int ids) {
        segment.set(U32, base + OFF_ID_COUNT, ids);
    }

    /** Pages a run needs to hold a header plus {@code payloadBytes}. */
    static int runPagesFor(long payloadBytes) {
        return (int) ((HEADER_BYTES + payloadBytes + SIZE_BYTES - 1) / SIZE_BYTES);
    }

    /**
     * Zeroes the header with three plain stores, not {@code asSlice(..).fill}: a slice is a 40-byte
     * segment object that the JIT's escape analysis removed in some runs and not in others, so a
     * leaf written per put cost 40 bytes of garbage in those (issue #21's allocation target).
     */
    static void clearHeader(MemorySegment segment, long base) {
        segment.set(U64, base, 0L);
        segment.set(U64, base + 8, 0L);
        segment.set(U64, base + 16, 0L);
    }
}
