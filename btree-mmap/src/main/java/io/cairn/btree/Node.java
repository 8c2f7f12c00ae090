package io.cairn.btree;

import java.lang.foreign.MemorySegment;

/**
 * A branch or leaf page: a sorted array of u16 slots after the header, each pointing at an entry in
 * the data area that grows down from the page end (LMDB's layout). Removing an entry leaves a hole
 * in the data area; {@link #compact} reclaims holes only when an insert needs the room.
 *
 * <pre>
 * leaf entry:   u16 keyLen | u8 flags (1 = value in an overflow run) | u8 0 | u32 valueLen | key | value or u64 run pgno
 * branch entry: u64 child pgno | u16 keyLen | key        (the key of slot 0 is ignored: it stands for minus infinity)
 * </pre>
 */
final class Node {
    static final int LEAF_ENTRY_HEADER_BYTES = 8;
    static final int BRANCH_ENTRY_HEADER_BYTES = 10;
    static final int LEAF_FLAG_OVERFLOW = 1;
    static final int SLOT_BYTES = 2;
    /** Space for slots and entries in one page. */
    static final int USABLE_BYTES = Page.SIZE_BYTES - Page.HEADER_BYTES;
    /**
     * Largest leaf entry stored inline (slot included); larger values go to an overflow run. Half a
     * page guarantees any full page plus one new entry splits into two pages that fit.
     */
    static final int MAX_INLINE_ENTRY_BYTES = USABLE_BYTES / 2 - SLOT_BYTES;

    private Node() {
    }

    static void init(MemorySegment segment, long base, long pgno, int flags) {
        Page.clearHeader(segment, base);
        Page.setPgno(segment, base, pgno);
        Page.setFlags(segment, base, flags);
        Page.setCount(segment, base, 0);
        Page.setUpper(segment, base, Page.SIZE_BYTES);
    }

    static boolean isLeaf(MemorySegment segment, long base) {
        return (Page.flags(segment, base) & Page.FLAG_LEAF) != 0;
    }

    /** Absolute offset of entry {@code i} inside {@code segment}. */
    static long entry(MemorySegment segment, long base, int i) {
        assert i >= 0 && i < Page.count(segment, base) : "slot " + i + " out of " + Page.count(segment, base);
        return base + Page.u16(segment, base + Page.HEADER_BYTES + (long) i * SLOT_BYTES);
    }

    static int freeBytes(MemorySegment segment, long base) {
        return Page.upper(segment, base) - Page.HEADER_BYTES - Page.count(segment, base) * SLOT_BYTES;
    }

    // ---- entry fields, given an absolute entry offset and whether the page is a leaf

    static int keyLength(MemorySegment segment, long entry, boolean leaf) {
        return Page.u16(segment, leaf ? entry : entry + 8);
    }

    static long keyOffset(long entry, boolean leaf) {
        return entry + (leaf ? LEAF_ENTRY_HEADER_BYTES : BRANCH_ENTRY_HEADER_BYTES);
    }

    static boolean isOverflow(MemorySegment segment, long entry) {
        return (segment.get(java.lang.foreign.ValueLayout.JAVA_BYTE, entry + 2) & LEAF_FLAG_OVERFLOW) != 0;
    }

    static int valueLength(MemorySegment segment, long entry) {
        return segment.get(Page.U32, entry + 4);
    }

    static long valueOffset(MemorySegment segment, long entry) {
        return entry + LEAF_ENTRY_HEADER_BYTES + Page.u16(segment, entry);
    }

    static long overflowPgno(MemorySegment segment, long entry) {
        return segment.get(Page.U64, valueOffset(segment, entry));
    }

    static long child(MemorySegment segment, long entry) {
        return segment.get(Page.U64, entry);
    }

    static void setChild(MemorySegment segment, long entry, long pgno) {
        segment.set(Page.U64, entry, pgno);
    }

    static int entryBytes(MemorySegment segment, long entry, boolean leaf) {
        int keyLength = keyLength(segment, entry, leaf);
        if (!leaf) {
            return BRANCH_ENTRY_HEADER_BYTES + keyLength;
        }
        return LEAF_ENTRY_HEADER_BYTES + keyLength + (isOverflow(segment, entry) ? 8 : valueLength(segment, entry));
    }

    /** Bytes of live slots and entries (holes excluded). */
    static int usedBytes(MemorySegment segment, long base) {
        boolean leaf = isLeaf(segment, base);
        int count = Page.count(segment, base);
        int used = count * SLOT_BYTES;
        for (int i = 0; i < count; i++) {
            used += entryBytes(segment, entry(segment, base, i), leaf);
        }
        return used;
    }

    // ---- encoding entries into a scratch buffer

    /**
     * An inline leaf entry's header and the first {@code keyLength} bytes of {@code key}; the caller
     * copies the value into the last {@code valueLength} bytes of the returned entry size.
     */
    static int encodeLeafInline(MemorySegment out, MemorySegment key, int keyLength, int valueLength) {
        Page.putU16(out, 0, keyLength);
        out.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 2, (byte) 0);
        out.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 3, (byte) 0);
        out.set(Page.U32, 4, valueLength);
        MemorySegment.copy(key, 0, out, LEAF_ENTRY_HEADER_BYTES, keyLength);
        return LEAF_ENTRY_HEADER_BYTES + keyLength + valueLength;
    }

    static int encodeLeafOverflow(MemorySegment out, MemorySegment key, int keyLength, long valueLength, long runPgno) {
        Page.putU16(out, 0, keyLength);
        out.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 2, (byte) LEAF_FLAG_OVERFLOW);
        out.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 3, (byte) 0);
        out.set(Page.U32, 4, (int) valueLength);
        MemorySegment.copy(key, 0, out, LEAF_ENTRY_HEADER_BYTES, keyLength);
        out.set(Page.U64, LEAF_ENTRY_HEADER_BYTES + keyLength, runPgno);
        return LEAF_ENTRY_HEADER_BYTES + keyLength + 8;
    }

    static int encodeBranch(MemorySegment out, long child, MemorySegment keySource, long keyOffset, int keyLength) {
        out.set(Page.U64, 0, child);
        Page.putU16(out, 8, keyLength);
        MemorySegment.copy(keySource, keyOffset, out, BRANCH_ENTRY_HEADER_BYTES, keyLength);
        return BRANCH_ENTRY_HEADER_BYTES + keyLength;
    }

    // ---- search

    /**
     * Leaf: index of the first entry with key >= search key, or {@code -(index + 1)} encoded as
     * a negative number when no entry equals it (same convention as {@link java.util.Arrays#binarySearch}).
     */
    static int searchLeaf(MemorySegment segment, long base, MemorySegment key, long keyOffset, int keyLength) {
        int low = 0;
        int high = Page.count(segment, base) - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            long e = entry(segment, base, mid);
            int c = Keys.compare(segment, keyOffset(e, true), keyLength(segment, e, true), key, keyOffset, keyLength);
            if (c < 0) {
                low = mid + 1;
            } else if (c > 0) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -(low + 1);
    }

    /** Branch: index of the child whose range holds the key (largest i with key_i <= key; slot 0 is minus infinity). */
    static int searchBranch(MemorySegment segment, long base, MemorySegment key, long keyOffset, int keyLength) {
        int low = 1;
        int high = Page.count(segment, base) - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            long e = entry(segment, base, mid);
            int c = Keys.compare(segment, keyOffset(e, false), keyLength(segment, e, false), key, keyOffset, keyLength);
            if (c <= 0) {
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return low - 1;
    }

    // ---- mutation (dirty pages only)

    /** Inserts raw entry bytes at slot {@code i}; the caller made sure the page has room. */
    static void insert(MemorySegment segment, long base, int i, MemorySegment source, long sourceOffset, int entryBytes) {
        int count = Page.count(segment, base);
        assert i >= 0 && i <= count : "insert slot " + i + " of " + count;
        assert freeBytes(segment, base) >= entryBytes + SLOT_BYTES : "no room on page " + Page.pgno(segment, base);
        int upper = Page.upper(segment, base) - entryBytes;
        MemorySegment.copy(source, sourceOffset, segment, base + upper, entryBytes);
        long slots = base + Page.HEADER_BYTES;
        if (i < count) {
            MemorySegment.copy(segment, slots + (long) i * SLOT_BYTES, segment, slots + (long) (i + 1) * SLOT_BYTES,
                    (long) (count - i) * SLOT_BYTES);
        }
        Page.putU16(segment, slots + (long) i * SLOT_BYTES, upper);
        Page.setUpper(segment, base, upper);
        Page.setCount(segment, base, count + 1);
    }

    /** Removes slot {@code i}; its entry bytes become a hole until the next compaction. */
    static void remove(MemorySegment segment, long base, int i) {
        int count = Page.count(segment, base);
        assert i >= 0 && i < count : "remove slot " + i + " of " + count;
        long slots = base + Page.HEADER_BYTES;
        if (i < count - 1) {
            MemorySegment.copy(segment, slots + (long) (i + 1) * SLOT_BYTES, segment, slots + (long) i * SLOT_BYTES,
                    (long) (count - 1 - i) * SLOT_BYTES);
        }
        Page.setCount(segment, base, count - 1);
        if (count == 1) {
            Page.setUpper(segment, base, Page.SIZE_BYTES);
        }
    }

    /** Rewrites the page without holes, through {@code scratch} (one page). */
    static void compact(MemorySegment segment, long base, MemorySegment scratch) {
        boolean leaf = isLeaf(segment, base);
        int count = Page.count(segment, base);
        MemorySegment.copy(segment, base, scratch, 0, Page.SIZE_BYTES);
        Page.setCount(segment, base, 0);
        Page.setUpper(segment, base, Page.SIZE_BYTES);
        for (int i = 0; i < count; i++) {
            long e = entry(scratch, 0, i);
            insert(segment, base, i, scratch, e, entryBytes(scratch, e, leaf));
        }
    }

    /** Makes room for {@code entryBytes} plus a slot by compacting if the holes would suffice. */
    static boolean ensureRoom(MemorySegment segment, long base, int entryBytes, MemorySegment scratch) {
        int needed = entryBytes + SLOT_BYTES;
        if (freeBytes(segment, base) >= needed) {
            return true;
        }
        if (USABLE_BYTES - usedBytes(segment, base) < needed) {
            return false;
        }
        compact(segment, base, scratch);
        return true;
    }
}
