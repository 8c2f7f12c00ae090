package io.cairn.btree;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Put and delete on one tree inside the write transaction: descend recording the path, copy the
 * path on write, change the leaf, then split upward or merge upward. One instance lives as long
 * as the environment and is reused by each write transaction, so steady-state writes allocate
 * nothing here (scratch buffers and the path are preallocated).
 */
final class TreeWriter {
    private final int maxValueBytes;
    private final long[] pathPgnos = new long[Txn.MAX_DEPTH];
    private final int[] pathSlots = new int[Txn.MAX_DEPTH];
    private int leafLevel;
    private int leafSlot;

    private final MemorySegment scratchPage;
    private final MemorySegment splitLeftPage;
    private final MemorySegment entryBuffer;
    private final MemorySegment branchEntryBuffer;
    private final MemorySegment firstBranchEntryBuffer;
    private final MemorySegment separatorBuffer;
    /** An array key copied for its search: an array put's or delete's, or a lookup's (see {@link #searchKey}). */
    private final MemorySegment keyScratch;
    private int separatorLength;

    /** Split planning: where each of the (count + 1) entries lives and how big it is. */
    private final long[] splitOffsets = new long[Page.SIZE_BYTES / Node.SLOT_BYTES + 2];
    private final int[] splitBytes = new int[Page.SIZE_BYTES / Node.SLOT_BYTES + 2];
    private final boolean[] splitFromNew = new boolean[Page.SIZE_BYTES / Node.SLOT_BYTES + 2];

    private WriteTxn txn;

    /**
     * The write transaction's own collections, kept here so each transaction reuses them instead of
     * allocating new ones (issue #21): the dirty buffers by page number, and the buckets it opened.
     * Owned by the transaction between {@link #begin} and its end, which clears them (the writer lock
     * makes that one transaction at a time).
     */
    final org.agrona.collections.Long2ObjectHashMap<MemorySegment> dirtyPages =
        new org.agrona.collections.Long2ObjectHashMap<>();
    final java.util.List<Bucket> openBuckets = new java.util.ArrayList<>();
    /** The write transactions' handle on the bucket directory, bound to each in turn. */
    final Bucket directoryHandle = new Bucket(null, "", 0, -1);
    /** Handles on named buckets, bound to each write transaction that opens them (see {@link Bucket}). */
    private final java.util.List<Bucket> reusableHandles = new java.util.ArrayList<>();
    /** Names beyond these many get a handle per transaction (a tree has a handful of buckets). */
    private static final int REUSABLE_HANDLES_MAX = 32;
    /** A bucket's directory record while it is written (the put copies it into the page at once). */
    final MemorySegment bucketRecord;

    TreeWriter(int maxValueBytes) {
        this.maxValueBytes = maxValueBytes;
        Arena arena = Arena.ofAuto();
        scratchPage = arena.allocate(Page.SIZE_BYTES, 8);
        splitLeftPage = arena.allocate(Page.SIZE_BYTES, 8);
        entryBuffer = arena.allocate(Page.SIZE_BYTES, 8);
        branchEntryBuffer = arena.allocate(Page.SIZE_BYTES, 8);
        firstBranchEntryBuffer = arena.allocate(Page.SIZE_BYTES, 8);
        separatorBuffer = arena.allocate(Keys.MAX_KEY_BYTES, 8);
        keyScratch = arena.allocate(Keys.MAX_KEY_BYTES, 8);
        bucketRecord = arena.allocate(Txn.BUCKET_RECORD_BYTES, 8);
    }

    /**
     * The handle to bind for bucket {@code name} in {@code writeTxn}: the one earlier write
     * transactions used, or a new one when this transaction already had that one (a bucket deleted
     * and created again: the deleted handle must keep saying so).
     */
    Bucket reusableHandle(WriteTxn writeTxn, String name) {
        for (int i = 0; i < reusableHandles.size(); i++) {
            Bucket b = reusableHandles.get(i);
            if (b.name.equals(name)) {
                return b.txn == writeTxn && b.boundGeneration == writeTxn.generation() ? new Bucket(null, name, 0, 0) : b;
            }
        }
        Bucket b = new Bucket(null, name, 0, 0);
        if (reusableHandles.size() < REUSABLE_HANDLES_MAX) {
            reusableHandles.add(b);
        }
        return b;
    }

    /** {@code key} copied into the scratch, valid until the next call: a put, delete or lookup uses it and keeps none of it. */
    MemorySegment searchKey(byte[] key) {
        MemorySegment.copy(key, 0, keyScratch, ValueLayout.JAVA_BYTE, 0, key.length);
        return keyScratch;
    }

    void begin(WriteTxn writeTxn) {
        this.txn = writeTxn;
    }

    // ---- put

    boolean put(Bucket bucket, MemorySegment key, MemorySegment value) {
        return put(bucket, key, (int) key.byteSize(), value, null, value.byteSize());
    }

    /**
     * A put of arrays without a segment around either (two per put, each with its own session
     * object, were the largest garbage of the engine's put path, issue #21): the key is copied into
     * {@link #keyScratch} for the search, the value straight into its page. The caller checked the
     * key's length.
     */
    boolean put(Bucket bucket, byte[] key, byte[] value, int valueLength) {
        return put(bucket, searchKey(key), key.length, null, value, valueLength);
    }

    /** The value is {@code valueSegment}, or when that is null {@code valueArray}; {@code valueLength} bytes of it. */
    private boolean put(Bucket bucket, MemorySegment key, int keyLength, MemorySegment valueSegment, byte[] valueArray,
            long valueLength) {
        if (valueLength > maxValueBytes) {
            throw new IllegalArgumentException("value of " + valueLength + " bytes exceeds the limit of " + maxValueBytes);
        }
        descend(bucket.rootPgno, key, keyLength);
        touchPath(bucket);
        MemorySegment leaf = txn.dirtyPage(pathPgnos[leafLevel]);
        int slot = leafSlot;
        boolean existed = slot >= 0;
        if (existed) {
            freeOverflow(leaf, Node.entry(leaf, 0, slot));
            Node.remove(leaf, 0, slot);
        } else {
            slot = -(slot + 1);
        }
        int entryBytes;
        if (Node.LEAF_ENTRY_HEADER_BYTES + keyLength + valueLength > Node.MAX_INLINE_ENTRY_BYTES) {
            int pages = Page.runPagesFor(valueLength);
            long run = txn.allocate(pages);
            MemorySegment runBuffer = txn.newRun(run, pages);
            Page.clearHeader(runBuffer, 0);
            Page.setPgno(runBuffer, 0, run);
            Page.setFlags(runBuffer, 0, Page.FLAG_OVERFLOW);
            Page.setRunPages(runBuffer, 0, pages);
            copyValue(valueSegment, valueArray, runBuffer, Page.HEADER_BYTES, valueLength);
            entryBytes = Node.encodeLeafOverflow(entryBuffer, key, keyLength, valueLength, run);
        } else {
            entryBytes = Node.encodeLeafInline(entryBuffer, key, keyLength, (int) valueLength);
            copyValue(valueSegment, valueArray, entryBuffer, entryBytes - valueLength, valueLength);
        }
        insert(bucket, leafLevel, slot, entryBuffer, entryBytes);
        if (!existed) {
            bucket.count++;
        }
        bucket.dirty = true;
        return !existed;
    }

    private static void copyValue(MemorySegment valueSegment, byte[] valueArray, MemorySegment to, long offset,
            long length) {
        if (valueSegment != null) {
            MemorySegment.copy(valueSegment, 0, to, offset, length);
        } else {
            MemorySegment.copy(valueArray, 0, to, ValueLayout.JAVA_BYTE, offset, (int) length);
        }
    }

    private void freeOverflow(MemorySegment leaf, long entry) {
        if (Node.isOverflow(leaf, entry)) {
            txn.free(Node.overflowPgno(leaf, entry), Page.runPagesFor(Node.valueLength(leaf, entry)));
        }
    }

    private void descend(long rootPgno, MemorySegment key, int keyLength) {
        long pgno = rootPgno;
        for (int level = 0; level < Txn.MAX_DEPTH; level++) {
            pathPgnos[level] = pgno;
            MemorySegment segment = txn.pageSegment(pgno);
            long base = txn.pageBase(segment, pgno);
            if (Node.isLeaf(segment, base)) {
                leafLevel = level;
                leafSlot = Node.searchLeaf(segment, base, key, 0, keyLength);
                return;
            }
            int slot = Node.searchBranch(segment, base, key, 0, keyLength);
            pathSlots[level] = slot;
            pgno = Node.child(segment, Node.entry(segment, base, slot));
        }
        throw new IllegalStateException("tree deeper than " + Txn.MAX_DEPTH + " levels in " + txn.env.path());
    }

    /** Makes every page on the recorded path dirty, re-pointing parents at the copies. */
    private void touchPath(Bucket bucket) {
        long root = txn.touch(pathPgnos[0]);
        if (root != pathPgnos[0]) {
            pathPgnos[0] = root;
            bucket.rootPgno = root;
        }
        for (int level = 1; level <= leafLevel; level++) {
            long copy = txn.touch(pathPgnos[level]);
            if (copy != pathPgnos[level]) {
                MemorySegment parent = txn.dirtyPage(pathPgnos[level - 1]);
                Node.setChild(parent, Node.entry(parent, 0, pathSlots[level - 1]), copy);
                pathPgnos[level] = copy;
            }
        }
    }

    /** Inserts an encoded entry at {@code slot} of the path page at {@code level}, splitting if full. */
    private void insert(Bucket bucket, int level, int slot, MemorySegment entry, int entryBytes) {
        MemorySegment page = txn.dirtyPage(pathPgnos[level]);
        if (Node.ensureRoom(page, 0, entryBytes, scratchPage)) {
            Node.insert(page, 0, slot, entry, 0, entryBytes);
            return;
        }
        boolean leaf = level == leafLevel;
        int n = planEntries(page, slot, entryBytes, leaf);
        if (leaf && level > 0 && shiftToSibling(level, page, entry, n)) {
            return;
        }
        split(bucket, level, slot, entry, n);
    }

    /**
     * Lays out the (count + 1) entries of a full page with the new one at {@code newSlot}: where each
     * lives and how big it is, in {@link #splitOffsets}, {@link #splitBytes}, {@link #splitFromNew}.
     * Returns the number of entries.
     */
    private int planEntries(MemorySegment page, int newSlot, int newEntryBytes, boolean leaf) {
        int n = Page.count(page, 0) + 1;
        for (int j = 0; j < n; j++) {
            boolean fromNew = j == newSlot;
            int i = j < newSlot ? j : j - 1;
            splitFromNew[j] = fromNew;
            splitOffsets[j] = fromNew ? 0 : Node.entry(page, 0, i);
            splitBytes[j] = fromNew ? newEntryBytes : Node.entryBytes(page, splitOffsets[j], leaf);
        }
        return n;
    }

    /**
     * A full leaf first hands entries to a sibling under the same parent that has room (the left
     * one, else the right one), balancing the bytes of the two, and splits only when neither can
     * take any. Why: keys that arrive nearly in order (256 clients writing "sequential" keys
     * land up to 256 keys apart) and new versions of existing keys insert into the middle of full
     * leaves, and an even split each time left the tree's leaves 66% full (issue #21: the tree was
     * 1.6x etcd's db). Handing entries over first is the B*-tree's rule; a leaf then splits only
     * when its neighbours are full too.
     */
    private boolean shiftToSibling(int level, MemorySegment page, MemorySegment newEntry, int n) {
        int total = 0;
        for (int j = 0; j < n; j++) {
            total += splitBytes[j] + Node.SLOT_BYTES;
        }
        MemorySegment parent = txn.dirtyPage(pathPgnos[level - 1]);
        int slotInParent = pathSlots[level - 1];
        if (slotInParent > 0 && shiftLeft(parent, slotInParent, page, newEntry, n, total)) {
            return true;
        }
        return slotInParent + 1 < Page.count(parent, 0) && shiftRight(parent, slotInParent, page, newEntry, n, total);
    }

    /** Moves the first entries of the planned page to its left sibling, if that fits with the parent's new separator. */
    private boolean shiftLeft(MemorySegment parent, int slotInParent, MemorySegment page, MemorySegment newEntry, int n,
            int total) {
        int siblingSlot = slotInParent - 1;
        int best = chooseShift(usedBytesOfChild(parent, siblingSlot), n, total, true);
        if (best < 0 || !copySeparatorIfItFits(parent, slotInParent, page, newEntry, best)) {
            return false;
        }
        MemorySegment sibling = touchChild(parent, siblingSlot);
        makeRoom(sibling, 0, best);
        for (int j = 0; j < best; j++) {
            Node.insert(sibling, 0, Page.count(sibling, 0), splitFromNew[j] ? newEntry : page, splitOffsets[j], splitBytes[j]);
        }
        rebuild(page, newEntry, best, n);
        replaceSeparator(parent, slotInParent);
        return true;
    }

    /** Moves the last entries of the planned page to the front of its right sibling, if that fits with the parent's new separator. */
    private boolean shiftRight(MemorySegment parent, int slotInParent, MemorySegment page, MemorySegment newEntry, int n,
            int total) {
        int siblingSlot = slotInParent + 1;
        int best = chooseShift(usedBytesOfChild(parent, siblingSlot), n, total, false);
        if (best < 0 || !copySeparatorIfItFits(parent, siblingSlot, page, newEntry, best)) {
            return false;
        }
        MemorySegment sibling = touchChild(parent, siblingSlot);
        makeRoom(sibling, best, n);
        for (int j = best; j < n; j++) {
            Node.insert(sibling, 0, j - best, splitFromNew[j] ? newEntry : page, splitOffsets[j], splitBytes[j]);
        }
        rebuild(page, newEntry, 0, best);
        replaceSeparator(parent, siblingSlot);
        return true;
    }

    /**
     * How many of the planned page's {@code n} entries ({@code total} bytes with slots) to move to a
     * sibling holding {@code siblingUsed} bytes: the first ones ({@code toLeft}) or the last ones, so
     * that both pages fit and their bytes are as even as can be. Returns the index of the first entry
     * the page keeps (to the left) or the first it moves (to the right), or -1 when nothing fits.
     */
    private int chooseShift(int siblingUsed, int n, int total, boolean toLeft) {
        int best = -1;
        int bestImbalance = Integer.MAX_VALUE;
        int moved = 0;
        for (int k = 1; k < n; k++) {
            moved += splitBytes[toLeft ? k - 1 : n - k] + Node.SLOT_BYTES;
            int siblingAfter = siblingUsed + moved;
            int pageAfter = total - moved;
            if (siblingAfter > Node.USABLE_BYTES) {
                break;
            }
            int imbalance = Math.abs(siblingAfter - pageAfter);
            if (pageAfter <= Node.USABLE_BYTES && imbalance < bestImbalance) {
                bestImbalance = imbalance;
                best = toLeft ? k : n - k;
            }
        }
        return best;
    }

    /** Compacts {@code page} if its holes are needed to take planned entries [from, to). */
    private void makeRoom(MemorySegment page, int from, int to) {
        int bytes = 0;
        for (int j = from; j < to; j++) {
            bytes += splitBytes[j] + Node.SLOT_BYTES;
        }
        if (Node.freeBytes(page, 0) < bytes) {
            Node.compact(page, 0, scratchPage);
        }
    }

    private int usedBytesOfChild(MemorySegment parent, int slot) {
        long pgno = Node.child(parent, Node.entry(parent, 0, slot));
        MemorySegment segment = txn.pageSegment(pgno);
        return Node.usedBytes(segment, txn.pageBase(segment, pgno));
    }

    /** Makes the parent's child at {@code slot} dirty, re-pointing the parent at the copy. */
    private MemorySegment touchChild(MemorySegment parent, int slot) {
        long entry = Node.entry(parent, 0, slot);
        long pgno = Node.child(parent, entry);
        long copy = txn.touch(pgno);
        if (copy != pgno) {
            Node.setChild(parent, entry, copy);
        }
        return txn.dirtyPage(copy);
    }

    /**
     * Copies the key of planned entry {@code at} into {@link #separatorBuffer} when it can replace
     * the separator at {@code parentSlot} without overflowing the parent (a longer key might not).
     */
    private boolean copySeparatorIfItFits(MemorySegment parent, int parentSlot, MemorySegment page,
            MemorySegment newEntry, int at) {
        MemorySegment source = splitFromNew[at] ? newEntry : page;
        int length = Node.keyLength(source, splitOffsets[at], true);
        long old = Node.entry(parent, 0, parentSlot);
        int oldBytes = Node.entryBytes(parent, old, false);
        int newBytes = oldBytes - Node.keyLength(parent, old, false) + length;
        if (Node.usedBytes(parent, 0) - oldBytes + newBytes > Node.USABLE_BYTES) {
            return false;
        }
        separatorLength = length;
        MemorySegment.copy(source, Node.keyOffset(splitOffsets[at], true), separatorBuffer, 0, length);
        return true;
    }

    /** Sets the separator at {@code parentSlot} to {@link #separatorBuffer}, keeping its child. */
    private void replaceSeparator(MemorySegment parent, int parentSlot) {
        long child = Node.child(parent, Node.entry(parent, 0, parentSlot));
        Node.remove(parent, 0, parentSlot);
        int bytes = Node.encodeBranch(branchEntryBuffer, child, separatorBuffer, 0, separatorLength);
        if (!Node.ensureRoom(parent, 0, bytes, scratchPage)) {
            throw new AssertionError("separator of " + bytes + " bytes does not fit page " + Page.pgno(parent, 0));
        }
        Node.insert(parent, 0, parentSlot, branchEntryBuffer, 0, bytes);
    }

    /** Rewrites {@code page} to hold planned entries [from, to) (through a scratch page: they may come from it). */
    private void rebuild(MemorySegment page, MemorySegment newEntry, int from, int to) {
        long pgno = Page.pgno(page, 0);
        Node.init(splitLeftPage, 0, pgno, Page.flags(page, 0));
        for (int j = from; j < to; j++) {
            Node.insert(splitLeftPage, 0, j - from, splitFromNew[j] ? newEntry : page, splitOffsets[j], splitBytes[j]);
        }
        MemorySegment.copy(splitLeftPage, 0, page, 0, Page.SIZE_BYTES);
    }

    /** Splits the full page at {@code level}, whose {@code n} entries with the new one are planned ({@link #planEntries}). */
    private void split(Bucket bucket, int level, int newSlot, MemorySegment newEntry, int n) {
        long leftPgno = pathPgnos[level];
        MemorySegment page = txn.dirtyPage(leftPgno);
        boolean leaf = Node.isLeaf(page, 0);
        int flags = Page.flags(page, 0);
        int at = chooseSplit(page, newEntry, n, newSlot, leaf);

        // Separator: first key of the right half. On a branch it moves up and the right page's slot 0 loses it.
        MemorySegment sepSource = splitFromNew[at] ? newEntry : page;
        long sepEntry = splitOffsets[at];
        separatorLength = Node.keyLength(sepSource, sepEntry, leaf);
        MemorySegment.copy(sepSource, Node.keyOffset(sepEntry, leaf), separatorBuffer, 0, separatorLength);

        long rightPgno = txn.allocate(1);
        MemorySegment right = txn.newPage(rightPgno);
        Node.init(right, 0, rightPgno, flags);
        for (int j = at; j < n; j++) {
            MemorySegment source = splitFromNew[j] ? newEntry : page;
            if (!leaf && j == at) {
                int bytes = Node.encodeBranch(firstBranchEntryBuffer, Node.child(source, splitOffsets[j]), source, 0, 0);
                Node.insert(right, 0, j - at, firstBranchEntryBuffer, 0, bytes);
            } else {
                Node.insert(right, 0, j - at, source, splitOffsets[j], splitBytes[j]);
            }
        }
        rebuild(page, newEntry, 0, at);

        int branchBytes = Node.encodeBranch(branchEntryBuffer, rightPgno, separatorBuffer, 0, separatorLength);
        if (level == 0) {
            long rootPgno = txn.allocate(1);
            MemorySegment root = txn.newPage(rootPgno);
            Node.init(root, 0, rootPgno, Page.FLAG_BRANCH);
            int firstBytes = Node.encodeBranch(firstBranchEntryBuffer, leftPgno, separatorBuffer, 0, 0);
            Node.insert(root, 0, 0, firstBranchEntryBuffer, 0, firstBytes);
            Node.insert(root, 0, 1, branchEntryBuffer, 0, branchBytes);
            bucket.rootPgno = rootPgno;
            return;
        }
        insert(bucket, level - 1, pathSlots[level - 1] + 1, branchEntryBuffer, branchBytes);
    }

    /**
     * Index of the first entry of the right half. Appending at the end of a page keeps the left
     * page full (sequential loads and compaction fill pages completely, as LMDB's append does);
     * otherwise the split balances bytes. With entries at most half a page a valid split always exists.
     */
    private int chooseSplit(MemorySegment page, MemorySegment newEntry, int n, int newSlot, boolean leaf) {
        int total = 0;
        for (int j = 0; j < n; j++) {
            total += splitBytes[j] + Node.SLOT_BYTES;
        }
        int best = -1;
        int bestImbalance = Integer.MAX_VALUE;
        int left = 0;
        for (int at = 1; at < n; at++) {
            left += splitBytes[at - 1] + Node.SLOT_BYTES;
            int right = total - left;
            if (!leaf) {
                right -= Node.keyLength(splitFromNew[at] ? newEntry : page, splitOffsets[at], false);
            }
            if (left > Node.USABLE_BYTES || right > Node.USABLE_BYTES) {
                continue;
            }
            if (newSlot == n - 1 && at == n - 1) {
                return at;
            }
            int imbalance = Math.abs(left - right);
            if (imbalance < bestImbalance) {
                bestImbalance = imbalance;
                best = at;
            }
        }
        if (best < 0) {
            throw new AssertionError("no valid split of page " + Page.pgno(page, 0) + " with " + n + " entries");
        }
        return best;
    }

    // ---- delete

    boolean delete(Bucket bucket, MemorySegment key) {
        return delete(bucket, key, (int) key.byteSize());
    }

    /** As {@link #put(Bucket, byte[], byte[], int)}: the key is copied for the search, not wrapped. */
    boolean delete(Bucket bucket, byte[] key) {
        return delete(bucket, searchKey(key), key.length);
    }

    private boolean delete(Bucket bucket, MemorySegment key, int keyLength) {
        descend(bucket.rootPgno, key, keyLength);
        if (leafSlot < 0) {
            return false;
        }
        touchPath(bucket);
        MemorySegment leaf = txn.dirtyPage(pathPgnos[leafLevel]);
        freeOverflow(leaf, Node.entry(leaf, 0, leafSlot));
        Node.remove(leaf, 0, leafSlot);
        bucket.count--;
        bucket.dirty = true;
        rebalance(bucket, leafLevel);
        return true;
    }

    /** After a removal at {@code level}: drop empty pages, merge a page under a quarter full into a sibling, shrink the root. */
    private void rebalance(Bucket bucket, int level) {
        long pgno = pathPgnos[level];
        MemorySegment page = txn.dirtyPage(pgno);
        if (level == 0) {
            shrinkRoot(bucket);
            return;
        }
        MemorySegment parent = txn.dirtyPage(pathPgnos[level - 1]);
        int slotInParent = pathSlots[level - 1];
        if (Page.count(page, 0) == 0) {
            Node.remove(parent, 0, slotInParent);
            txn.free(pgno, 1);
            rebalance(bucket, level - 1);
            return;
        }
        if (Page.count(parent, 0) < 2) {
            if (level - 1 == 0) {
                shrinkRoot(bucket);
            }
            return;
        }
        if (Node.usedBytes(page, 0) >= Node.USABLE_BYTES / 4) {
            return;
        }
        int leftSlot = slotInParent > 0 ? slotInParent - 1 : 0;
        int rightSlot = leftSlot + 1;
        long leftPgno = Node.child(parent, Node.entry(parent, 0, leftSlot));
        long rightPgno = Node.child(parent, Node.entry(parent, 0, rightSlot));
        MemorySegment leftSegment = txn.pageSegment(leftPgno);
        long leftBase = txn.pageBase(leftSegment, leftPgno);
        MemorySegment rightSegment = txn.pageSegment(rightPgno);
        long rightBase = txn.pageBase(rightSegment, rightPgno);
        boolean leaf = Node.isLeaf(rightSegment, rightBase);

        long sepEntry = Node.entry(parent, 0, rightSlot);
        separatorLength = Node.keyLength(parent, sepEntry, false);
        MemorySegment.copy(parent, Node.keyOffset(sepEntry, false), separatorBuffer, 0, separatorLength);
        int merged = Node.usedBytes(leftSegment, leftBase) + Node.usedBytes(rightSegment, rightBase);
        if (!leaf) {
            merged += separatorLength - Node.keyLength(rightSegment, Node.entry(rightSegment, rightBase, 0), false);
        }
        if (merged > Node.USABLE_BYTES) {
            return;
        }
        long leftCopy = txn.touch(leftPgno);
        if (leftCopy != leftPgno) {
            Node.setChild(parent, Node.entry(parent, 0, leftSlot), leftCopy);
        }
        MemorySegment left = txn.dirtyPage(leftCopy);
        Node.compact(left, 0, scratchPage);
        int rightCount = Page.count(rightSegment, rightBase);
        for (int j = 0; j < rightCount; j++) {
            long e = Node.entry(rightSegment, rightBase, j);
            int at = Page.count(left, 0);
            if (!leaf && j == 0) {
                int bytes = Node.encodeBranch(firstBranchEntryBuffer, Node.child(rightSegment, e), separatorBuffer, 0, separatorLength);
                Node.insert(left, 0, at, firstBranchEntryBuffer, 0, bytes);
            } else {
                Node.insert(left, 0, at, rightSegment, e, Node.entryBytes(rightSegment, e, leaf));
            }
        }
        Node.remove(parent, 0, rightSlot);
        txn.free(rightPgno, 1);
        rebalance(bucket, level - 1);
    }

    private void shrinkRoot(Bucket bucket) {
        for (int guard = 0; guard < Txn.MAX_DEPTH; guard++) {
            long root = bucket.rootPgno;
            MemorySegment segment = txn.pageSegment(root);
            long base = txn.pageBase(segment, root);
            if (Node.isLeaf(segment, base)) {
                return;
            }
            int count = Page.count(segment, base);
            if (count > 1) {
                return;
            }
            if (count == 0) {
                MemorySegment page = txn.dirtyPage(root);
                Node.init(page, 0, root, Page.FLAG_LEAF);
                return;
            }
            bucket.rootPgno = Node.child(segment, Node.entry(segment, base, 0));
            txn.free(root, 1);
        }
    }

    /** Frees every page of the tree under {@code pgno}, overflow runs included. */
    void freeTree(long pgno, int depth) {
        if (depth >= Txn.MAX_DEPTH) {
            throw new IllegalStateException("tree deeper than " + Txn.MAX_DEPTH + " levels in " + txn.env.path());
        }
        MemorySegment segment = txn.pageSegment(pgno);
        long base = txn.pageBase(segment, pgno);
        boolean leaf = Node.isLeaf(segment, base);
        int count = Page.count(segment, base);
        for (int i = 0; i < count; i++) {
            long e = Node.entry(segment, base, i);
            if (leaf) {
                freeOverflow(segment, e);
            } else {
                freeTree(Node.child(segment, e), depth + 1);
            }
        }
        txn.free(pgno, 1);
    }
}
