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
 *
 * <p>A leaf may keep the bytes all its keys start with once, in its last {@link Page#prefixLength}
 * bytes; its entries then hold only the rest of each key (keyLen counts those bytes), and the data
 * area ends where the prefix starts. Why: keys of one leaf share long prefixes (etcd's keys are
 * paths such as {@code /registry/pods/default/...}; a version's key in {@code kv} ends in its
 * revision, and {@code rev}'s keys are revisions), and each copy of them cost bytes in every entry
 * (issue #21: the tree was 1.14-1.20x etcd's db). Because keys are sorted, the prefix every key of a
 * leaf shares is the one its first and last keys share, and a key that lands between them has it
 * too. Branch pages keep whole keys.
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
    /**
     * Longest prefix a leaf keeps: it bounds what a leaf's entries take with their whole keys
     * ({@link #MAX_EXPANDED_LEAF_BYTES}), which a split lays out; the shared part of real keys is far
     * shorter.
     */
    static final int MAX_PREFIX_BYTES = 255;
    /** Most entries a page holds (each takes at least a slot and a header). */
    static final int MAX_ENTRIES = USABLE_BYTES / (SLOT_BYTES + LEAF_ENTRY_HEADER_BYTES);
    /** Bytes a leaf's entries take with their whole keys (slots not counted). */
    static final int MAX_EXPANDED_LEAF_BYTES = USABLE_BYTES + MAX_ENTRIES * MAX_PREFIX_BYTES;

    private Node() {
    }

    static void init(MemorySegment segment, long base, long pgno, int flags) {
        Page.clearHeader(segment, base);
        Page.setPgno(segment, base, pgno);
        Page.setFlags(segment, base, flags);
        Page.setCount(segment, base, 0);
        Page.setUpper(segment, base, Page.SIZE_BYTES);
    }

    /** An empty leaf whose keys will all start with {@code prefixLength} bytes of {@code prefix} from {@code offset}. */
    static void initLeaf(MemorySegment segment, long base, long pgno, MemorySegment prefix, long offset, int prefixLength) {
        assert prefixLength >= 0 && prefixLength <= MAX_PREFIX_BYTES : prefixLength;
        init(segment, base, pgno, Page.FLAG_LEAF);
        Page.setPrefixLength(segment, base, prefixLength);
        MemorySegment.copy(prefix, offset, segment, base + Page.SIZE_BYTES - prefixLength, prefixLength);
        Page.setUpper(segment, base, Page.SIZE_BYTES - prefixLength);
    }

    /** Where the data area ends: the page end, or where a leaf's prefix starts. */
    static int dataEnd(MemorySegment segment, long base) {
        return Page.SIZE_BYTES - Page.prefixLength(segment, base);
    }

    /** Absolute offset of the prefix of {@code prefixLength} bytes of the leaf at {@code base}. */
    static long prefixOffset(long base, int prefixLength) {
        return base + Page.SIZE_BYTES - prefixLength;
    }

    /** A leaf entry's whole key length: the page's prefix and the bytes the entry holds. */
    static int fullKeyLength(MemorySegment segment, long base, long entry) {
        return Page.prefixLength(segment, base) + keyLength(segment, entry, true);
    }

    /** Copies a leaf entry's whole key (prefix, then the entry's bytes) to {@code out} at {@code outOffset}. */
    static void copyFullKey(MemorySegment segment, long base, long entry, MemorySegment out, long outOffset) {
        int prefix = Page.prefixLength(segment, base);
        MemorySegment.copy(segment, prefixOffset(base, prefix), out, outOffset, prefix);
        MemorySegment.copy(segment, keyOffset(entry, true), out, outOffset + prefix, keyLength(segment, entry, true));
    }

    /** A buffer for {@link #fullKey}: native (see {@link Cursor#key} for why), as long as the longest key. */
    static MemorySegment newFullKeyBuffer() {
        return java.lang.foreign.Arena.ofAuto().allocate(Keys.MAX_KEY_BYTES, 8);
    }

    /** A leaf entry's whole key put together in {@code buffer}: a slice of it, valid until the buffer's next use. */
    static MemorySegment fullKey(MemorySegment segment, long base, long entry, MemorySegment buffer) {
        copyFullKey(segment, base, entry, buffer, 0);
        return buffer.asSlice(0, fullKeyLength(segment, base, entry));
    }

    /** Whether {@code keyLength} bytes of {@code key} from {@code keyOffset} start with the leaf's prefix. */
    static boolean startsWithPrefix(MemorySegment segment, long base, MemorySegment key, long keyOffset, int keyLength) {
        int prefix = Page.prefixLength(segment, base);
        if (prefix == 0) {
            return true;
        }
        return keyLength >= prefix && Keys.mismatch(segment, prefixOffset(base, prefix), key, keyOffset, prefix) < 0;
    }

    /**
     * Writes leaf entry {@code entry} of the page at {@code base} with its whole key into {@code out} at
     * {@code outOffset}; returns its bytes.
     */
    static int expandLeafEntry(MemorySegment segment, long base, long entry, MemorySegment out, long outOffset) {
        int prefix = Page.prefixLength(segment, base);
        int stored = entryBytes(segment, entry, true);
        if (prefix == 0) {
            MemorySegment.copy(segment, entry, out, outOffset, stored);
            return stored;
        }
        // The stored entry goes prefix bytes further on, which puts its key's bytes and value where
        // they belong; then the prefix, and the header with the whole key's length, go in front.
        MemorySegment.copy(segment, entry, out, outOffset + prefix, stored);
        MemorySegment.copy(segment, prefixOffset(base, prefix), out, outOffset + LEAF_ENTRY_HEADER_BYTES, prefix);
        out.set(Page.U64, outOffset, segment.get(Page.U64, entry));
        Page.putU16(out, outOffset, prefix + keyLength(segment, entry, true));
        return stored + prefix;
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

    /** Bytes of live slots and entries (holes excluded), and of the leaf's prefix. */
    static int usedBytes(MemorySegment segment, long base) {
        boolean leaf = isLeaf(segment, base);
        int count = Page.count(segment, base);
        int used = count * SLOT_BYTES + Page.prefixLength(segment, base);
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
        int prefix = Page.prefixLength(segment, base);
        if (prefix > 0) {
            // Every key here starts with the prefix: a key that does not sorts before or after all of them.
            long at = prefixOffset(base, prefix);
            int mismatch = Keys.mismatch(segment, at, key, keyOffset, Math.min(prefix, keyLength));
            if (mismatch >= 0) {
                int below = Byte.toUnsignedInt(key.get(java.lang.foreign.ValueLayout.JAVA_BYTE, keyOffset + mismatch))
                        - Byte.toUnsignedInt(segment.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at + mismatch));
                return below < 0 ? -1 : -(Page.count(segment, base) + 1);
            }
            if (keyLength < prefix) {
                return -1;
            }
            keyOffset += prefix;
            keyLength -= prefix;
        }
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
        MemorySegment.copy(source, sourceOffset, segment, reserve(segment, base, i, entryBytes), entryBytes);
    }

    /**
     * Inserts a leaf entry that holds its whole key ({@code entryBytes} in all) at slot {@code i},
     * leaving out the first {@code strip} bytes of its key: the page's prefix, which the key starts with.
     */
    static void insertStripped(MemorySegment segment, long base, int i, MemorySegment source, long sourceOffset,
            int entryBytes, int strip) {
        if (strip == 0) {
            insert(segment, base, i, source, sourceOffset, entryBytes);
            return;
        }
        long at = reserve(segment, base, i, entryBytes - strip);
        MemorySegment.copy(source, sourceOffset, segment, at, LEAF_ENTRY_HEADER_BYTES);
        Page.putU16(segment, at, keyLength(source, sourceOffset, true) - strip);
        MemorySegment.copy(source, sourceOffset + LEAF_ENTRY_HEADER_BYTES + strip, segment, at + LEAF_ENTRY_HEADER_BYTES,
                entryBytes - strip - LEAF_ENTRY_HEADER_BYTES);
    }

    /** Makes slot {@code i} point at {@code entryBytes} new bytes of the data area; returns their absolute offset. */
    private static long reserve(MemorySegment segment, long base, int i, int entryBytes) {
        int count = Page.count(segment, base);
        assert i >= 0 && i <= count : "insert slot " + i + " of " + count;
        assert freeBytes(segment, base) >= entryBytes + SLOT_BYTES : "no room on page " + Page.pgno(segment, base);
        int upper = Page.upper(segment, base) - entryBytes;
        long slots = base + Page.HEADER_BYTES;
        if (i < count) {
            MemorySegment.copy(segment, slots + (long) i * SLOT_BYTES, segment, slots + (long) (i + 1) * SLOT_BYTES,
                    (long) (count - i) * SLOT_BYTES);
        }
        Page.putU16(segment, slots + (long) i * SLOT_BYTES, upper);
        Page.setUpper(segment, base, upper);
        Page.setCount(segment, base, count + 1);
        return base + upper;
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
            // An empty leaf keeps no prefix: the next key may share none of it.
            Page.setPrefixLength(segment, base, 0);
            Page.setUpper(segment, base, Page.SIZE_BYTES);
        }
    }

    /** Rewrites the page without holes, through {@code scratch} (one page). */
    static void compact(MemorySegment segment, long base, MemorySegment scratch) {
        boolean leaf = isLeaf(segment, base);
        int count = Page.count(segment, base);
        MemorySegment.copy(segment, base, scratch, 0, Page.SIZE_BYTES);
        Page.setCount(segment, base, 0);
        Page.setUpper(segment, base, dataEnd(segment, base));
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
