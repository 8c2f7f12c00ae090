package io.cairn.btree;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * Walks one bucket in key order. Holds the path from the root to the current leaf slot (bounded by
 * {@link Txn#MAX_DEPTH}). In a write transaction any write invalidates the cursor: using it after
 * one throws {@link java.util.ConcurrentModificationException} (re-seek instead).
 */
public final class Cursor {
    /**
     * The bucket's transaction when this cursor last positioned itself: a cursor on a write
     * transaction's handle follows the handle into the next write transaction at its next seek
     * (see {@link Bucket}), so a lookup can keep one cursor instead of making one per put.
     */
    private Txn txn;
    private final Bucket bucket;
    /**
     * Path levels a new cursor holds before it grows: real trees are a handful of levels deep, and
     * arrays for all {@link Txn#MAX_DEPTH} levels made each cursor cost 800 bytes (one per MVCC
     * lookup on the put path, issue #21). Grown by {@link #reach} when a tree is deeper.
     */
    private static final int INITIAL_LEVELS = 4;
    private long[] pgnos = new long[INITIAL_LEVELS];
    private int[] slots = new int[INITIAL_LEVELS];
    private int leafLevel = -1;
    private boolean positioned;
    /** Where {@link #key} puts together a key whose leaf keeps a prefix; made at the first such key. */
    private MemorySegment wholeKey;
    private long modCountAtPosition;

    Cursor(Txn txn, Bucket bucket) {
        this.txn = txn;
        this.bucket = bucket;
    }

    public boolean first() {
        return descendEdge(true);
    }

    public boolean last() {
        return descendEdge(false);
    }

    public boolean seek(byte[] key) {
        begin();
        Bucket.checkKeyLength(key.length);
        return seek(txn.searchKey(key), key.length);
    }

    /** Positions at the first key >= {@code key}; false if there is none. */
    public boolean seek(MemorySegment key) {
        begin();
        Bucket.checkKey(key);
        return seek(key, (int) key.byteSize());
    }

    private boolean seek(MemorySegment key, int keyLength) {
        long pgno = bucket.rootPgno;
        for (int level = 0; level < Txn.MAX_DEPTH; level++) {
            reach(level);
            pgnos[level] = pgno;
            MemorySegment segment = txn.pageSegment(pgno);
            long base = txn.pageBase(segment, pgno);
            if (Node.isLeaf(segment, base)) {
                leafLevel = level;
                int slot = Node.searchLeaf(segment, base, key, 0, keyLength);
                if (slot < 0) {
                    slot = -(slot + 1);
                }
                int count = Page.count(segment, base);
                if (slot < count) {
                    slots[level] = slot;
                    positioned = true;
                    return true;
                }
                if (count == 0) {
                    return false;
                }
                slots[level] = count - 1;
                positioned = true;
                return next();
            }
            int slot = Node.searchBranch(segment, base, key, 0, keyLength);
            slots[level] = slot;
            pgno = Node.child(segment, Node.entry(segment, base, slot));
        }
        throw tooDeep();
    }

    public boolean next() {
        checkPositioned();
        if (slots[leafLevel] + 1 < count(leafLevel)) {
            slots[leafLevel]++;
            return true;
        }
        int level = leafLevel - 1;
        while (level >= 0 && slots[level] + 1 >= count(level)) {
            level--;
        }
        if (level < 0) {
            positioned = false;
            return false;
        }
        slots[level]++;
        return descendFrom(level, true);
    }

    public boolean prev() {
        checkPositioned();
        if (slots[leafLevel] > 0) {
            slots[leafLevel]--;
            return true;
        }
        int level = leafLevel - 1;
        while (level >= 0 && slots[level] == 0) {
            level--;
        }
        if (level < 0) {
            positioned = false;
            return false;
        }
        slots[level]--;
        return descendFrom(level, false);
    }

    /**
     * The current key. Zero-copy from the map and valid for the transaction's life when its leaf
     * keeps no prefix; put together in a native buffer of this cursor's and valid until the cursor
     * moves when it does. Why a native buffer and not a new array per key: no allocation per key of
     * a scan, and the segments that reach the tree's key comparisons stay of one kind (a defragment
     * or a snapshot install puts the keys it reads, and an array segment there would make the
     * comparisons' call sites polymorphic for every put after). Copy it to keep it; {@link #keyBytes}
     * does.
     */
    public MemorySegment key() {
        MemorySegment segment = currentLeaf();
        long base = txn.pageBase(segment, pgnos[leafLevel]);
        long e = Node.entry(segment, base, slots[leafLevel]);
        if (Page.prefixLength(segment, base) == 0) {
            return txn.keyInPage(segment, e);
        }
        if (wholeKey == null) {
            wholeKey = Node.newFullKeyBuffer();
        }
        return Node.fullKey(segment, base, e, wholeKey);
    }

    /** The current key copied into a new array (one copy, where {@code key().toArray} may take two). */
    public byte[] keyBytes() {
        MemorySegment segment = currentLeaf();
        long base = txn.pageBase(segment, pgnos[leafLevel]);
        long e = Node.entry(segment, base, slots[leafLevel]);
        int prefix = Page.prefixLength(segment, base);
        int rest = Node.keyLength(segment, e, true);
        byte[] key = new byte[prefix + rest];
        // The array forms of copy: no segment around the array (the engine's reads call this per key).
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, Node.prefixOffset(base, prefix), key, 0, prefix);
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, Node.keyOffset(e, true), key, prefix, rest);
        return key;
    }

    /** The current value, valid for the transaction's life (zero-copy). */
    public MemorySegment value() {
        MemorySegment segment = currentLeaf();
        return txn.value(segment, Node.entry(segment, txn.pageBase(segment, pgnos[leafLevel]), slots[leafLevel]));
    }

    /** The current key's length in bytes. */
    public int keyLength() {
        MemorySegment segment = currentLeaf();
        return Node.fullKeyLength(segment, currentBase(segment), currentEntry(segment));
    }

    /** Whether the current key starts with the first {@code length} bytes of {@code prefix}; no slice made. */
    public boolean keyStartsWith(byte[] prefix, int length) {
        Objects.checkFromIndexSize(0, length, prefix.length);
        MemorySegment segment = currentLeaf();
        long base = currentBase(segment);
        long e = currentEntry(segment);
        if (Node.fullKeyLength(segment, base, e) < length) {
            return false;
        }
        // The key's first bytes are the leaf's prefix, the rest are in the entry.
        int leafPrefix = Page.prefixLength(segment, base);
        long prefixAt = Node.prefixOffset(base, leafPrefix);
        long suffixAt = Node.keyOffset(e, true) - leafPrefix;
        for (int i = 0; i < length; i++) {
            long at = i < leafPrefix ? prefixAt + i : suffixAt + i;
            if (segment.get(ValueLayout.JAVA_BYTE, at) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** The current value's length in bytes. */
    public int valueLength() {
        MemorySegment segment = currentLeaf();
        return Node.valueLength(segment, currentEntry(segment));
    }

    /**
     * Copies {@code length} bytes of the current value, from its byte {@code offset}, into {@code dst}
     * at {@code dstOffset}. No segment is made, so a transaction that reads only this way never
     * makes its arena (see {@link Txn}): the put path's lookup reads the version it replaces so.
     */
    public void copyValue(long offset, byte[] dst, int dstOffset, int length) {
        MemorySegment segment = currentLeaf();
        long e = currentEntry(segment);
        Objects.checkFromIndexSize(offset, length, Node.valueLength(segment, e));
        if (Node.isOverflow(segment, e)) {
            long run = Node.overflowPgno(segment, e);
            MemorySegment runSegment = txn.pageSegment(run);
            long at = txn.pageBase(runSegment, run) + Page.HEADER_BYTES + offset;
            MemorySegment.copy(runSegment, ValueLayout.JAVA_BYTE, at, dst, dstOffset, length);
            return;
        }
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, Node.valueOffset(segment, e) + offset, dst, dstOffset, length);
    }

    private long currentEntry(MemorySegment leaf) {
        return Node.entry(leaf, currentBase(leaf), slots[leafLevel]);
    }

    private long currentBase(MemorySegment leaf) {
        return txn.pageBase(leaf, pgnos[leafLevel]);
    }

    /** Compares the current key with {@code other} without materialising a slice. */
    public int compareKeyTo(MemorySegment other) {
        MemorySegment segment = currentLeaf();
        long base = currentBase(segment);
        long e = Node.entry(segment, base, slots[leafLevel]);
        int otherLength = (int) other.byteSize();
        int leafPrefix = Page.prefixLength(segment, base);
        if (leafPrefix > 0) {
            int common = Math.min(leafPrefix, otherLength);
            int c = Keys.compare(segment, Node.prefixOffset(base, leafPrefix), common, other, 0, common);
            if (c != 0) {
                return c;
            }
            if (otherLength < leafPrefix) {
                return 1;
            }
        }
        return Keys.compare(segment, Node.keyOffset(e, true), Node.keyLength(segment, e, true),
                other, leafPrefix, otherLength - leafPrefix);
    }

    private MemorySegment currentLeaf() {
        checkPositioned();
        return txn.pageSegment(pgnos[leafLevel]);
    }

    private boolean descendEdge(boolean leftmost) {
        begin();
        pgnos[0] = bucket.rootPgno;
        MemorySegment segment = txn.pageSegment(pgnos[0]);
        long base = txn.pageBase(segment, pgnos[0]);
        int count = Page.count(segment, base);
        if (count == 0) {
            return false;
        }
        slots[0] = leftmost ? 0 : count - 1;
        positioned = true;
        if (Node.isLeaf(segment, base)) {
            leafLevel = 0;
            return true;
        }
        leafLevel = Txn.MAX_DEPTH;
        return descendFrom(0, leftmost);
    }

    /** From the branch slot at {@code level}, goes down to the leftmost or rightmost leaf entry. */
    private boolean descendFrom(int level, boolean leftmost) {
        for (int l = level; l + 1 < Txn.MAX_DEPTH; l++) {
            MemorySegment segment = txn.pageSegment(pgnos[l]);
            long base = txn.pageBase(segment, pgnos[l]);
            long child = Node.child(segment, Node.entry(segment, base, slots[l]));
            reach(l + 1);
            pgnos[l + 1] = child;
            MemorySegment childSegment = txn.pageSegment(child);
            long childBase = txn.pageBase(childSegment, child);
            int count = Page.count(childSegment, childBase);
            assert count > 0 : "empty non-root page " + child;
            slots[l + 1] = leftmost ? 0 : count - 1;
            if (Node.isLeaf(childSegment, childBase)) {
                leafLevel = l + 1;
                return true;
            }
        }
        throw tooDeep();
    }

    /** Makes room for path level {@code level} (below {@link Txn#MAX_DEPTH}, which the loops bound). */
    private void reach(int level) {
        if (level >= pgnos.length) {
            int levels = Math.min(Txn.MAX_DEPTH, 2 * pgnos.length);
            pgnos = java.util.Arrays.copyOf(pgnos, levels);
            slots = java.util.Arrays.copyOf(slots, levels);
        }
    }

    private int count(int level) {
        MemorySegment segment = txn.pageSegment(pgnos[level]);
        return Page.count(segment, txn.pageBase(segment, pgnos[level]));
    }

    private void begin() {
        txn = bucket.txn;
        txn.checkOpen();
        positioned = false;
        modCountAtPosition = txn.modCount();
    }

    private void checkPositioned() {
        txn.checkOpen();
        if (modCountAtPosition != txn.modCount()) {
            throw new java.util.ConcurrentModificationException("bucket " + bucket.name + " was written since this cursor was positioned");
        }
        if (!positioned) {
            throw new IllegalStateException("cursor is not positioned on a key");
        }
    }

    private IllegalStateException tooDeep() {
        return new IllegalStateException("bucket " + bucket.name + " is deeper than " + Txn.MAX_DEPTH + " levels in " + txn.env.path());
    }
}
