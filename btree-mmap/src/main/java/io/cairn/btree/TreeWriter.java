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

    /**
     * Leaf layout for a rewrite, a shift or a split: a leaf's entries (and a sibling's, and a new one)
     * with their whole keys, one after the other in {@link #plan}. Entry j takes bytes
     * [planStarts[j], planStarts[j + 1]), so a run's bytes are a difference; planStarts[planned] is
     * where the next one goes.
     */
    private final MemorySegment plan;
    private final int[] planStarts = new int[2 * Node.MAX_ENTRIES + 2];
    private int planned;

    /** A split's candidates: the bytes left and right of each index (see {@link #balancedSplit}). */
    private final int[] sideBytes = new int[2 * (Page.SIZE_BYTES / Node.SLOT_BYTES + 2)];

    /** Branch split planning: where each of the (count + 1) entries lives and how big it is. */
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
        plan = arena.allocate(2L * Node.MAX_EXPANDED_LEAF_BYTES + Node.USABLE_BYTES, 8);
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
        insertIntoLeaf(bucket, slot, entryBuffer, entryBytes);
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

    /**
     * Inserts the new leaf entry ({@code entryBytes}, its whole key) at {@code slot} of the path's
     * leaf. It goes in as it is when its key starts with the leaf's prefix and the leaf has room;
     * otherwise the leaf's entries and the new one are laid out with their whole keys
     * ({@link #planLeaf}) and written back with the prefix they share: into the leaf alone when
     * they fit, else shared with a sibling or split.
     */
    private void insertIntoLeaf(Bucket bucket, int slot, MemorySegment entry, int entryBytes) {
        MemorySegment page = txn.dirtyPage(pathPgnos[leafLevel]);
        int prefix = Page.prefixLength(page, 0);
        if (Node.startsWithPrefix(page, 0, entry, Node.LEAF_ENTRY_HEADER_BYTES, Node.keyLength(entry, 0, true))
                && Node.ensureRoom(page, 0, entryBytes - prefix, scratchPage)) {
            Node.insertStripped(page, 0, slot, entry, 0, entryBytes, prefix);
            return;
        }
        clearPlan();
        planPage(page, 0, slot, entry, entryBytes);
        int n = planned;
        if (leafBytes(0, n, n, n) <= Node.USABLE_BYTES) {
            writeLeaf(page, Page.pgno(page, 0), 0, n, n, n);
            return;
        }
        if (leafLevel > 0 && shiftToSibling(page, n)) {
            return;
        }
        splitLeaf(bucket, page, slot, n);
    }

    /** Inserts an encoded branch entry at {@code slot} of the path page at {@code level}, splitting if full. */
    private void insert(Bucket bucket, int level, int slot, MemorySegment entry, int entryBytes) {
        MemorySegment page = txn.dirtyPage(pathPgnos[level]);
        if (Node.ensureRoom(page, 0, entryBytes, scratchPage)) {
            Node.insert(page, 0, slot, entry, 0, entryBytes);
            return;
        }
        int n = planEntries(page, slot, entryBytes);
        split(bucket, level, slot, entry, n);
    }

    /**
     * Lays out the (count + 1) entries of a full branch with the new one at {@code newSlot}: where each
     * lives and how big it is, in {@link #splitOffsets}, {@link #splitBytes}, {@link #splitFromNew}.
     * Returns the number of entries.
     */
    private int planEntries(MemorySegment page, int newSlot, int newEntryBytes) {
        int n = Page.count(page, 0) + 1;
        for (int j = 0; j < n; j++) {
            boolean fromNew = j == newSlot;
            int i = j < newSlot ? j : j - 1;
            splitFromNew[j] = fromNew;
            splitOffsets[j] = fromNew ? 0 : Node.entry(page, 0, i);
            splitBytes[j] = fromNew ? newEntryBytes : Node.entryBytes(page, splitOffsets[j], false);
        }
        return n;
    }

    // ---- leaf layout: entries with their whole keys in {@link #plan}

    private void clearPlan() {
        planned = 0;
    }

    /**
     * Appends the entries of the leaf at {@code base} to the plan with their whole keys, and the new
     * entry (already whole) before its entry {@code newSlot}; a {@code newSlot} of -1 adds none.
     */
    private void planPage(MemorySegment segment, long base, int newSlot, MemorySegment newEntry, int newEntryBytes) {
        int count = Page.count(segment, base);
        for (int i = 0; i <= count; i++) {
            if (i == newSlot) {
                MemorySegment.copy(newEntry, 0, plan, planStarts[planned], newEntryBytes);
                addPlanned(newEntryBytes);
            }
            if (i < count) {
                addPlanned(Node.expandLeafEntry(segment, base, Node.entry(segment, base, i), plan, planStarts[planned]));
            }
        }
    }

    private void planChild(MemorySegment parent, int slot) {
        long pgno = Node.child(parent, Node.entry(parent, 0, slot));
        MemorySegment segment = txn.pageSegment(pgno);
        planPage(segment, txn.pageBase(segment, pgno), -1, null, 0);
    }

    private void addPlanned(int bytes) {
        planStarts[planned + 1] = planStarts[planned] + bytes;
        planned++;
    }

    /** Length of the prefix planned entries {@code i} and {@code j} share, up to {@link Node#MAX_PREFIX_BYTES}. */
    private int sharedPrefix(int i, int j) {
        long a = planStarts[i];
        long b = planStarts[j];
        int common = Math.min(Node.MAX_PREFIX_BYTES, Math.min(Node.keyLength(plan, a, true), Node.keyLength(plan, b, true)));
        int mismatch = Keys.mismatch(plan, Node.keyOffset(a, true), plan, Node.keyOffset(b, true), common);
        return mismatch < 0 ? common : mismatch;
    }

    /** The prefix a leaf of planned entries [a1, b1) then [a2, b2) keeps: what its first and last keys share. */
    private int leafPrefix(int a1, int b1, int a2, int b2) {
        if ((b1 - a1) + (b2 - a2) < 2) {
            return 0;
        }
        return sharedPrefix(a1 < b1 ? a1 : a2, a2 < b2 ? b2 - 1 : b1 - 1);
    }

    /** Bytes (slots and prefix included) a leaf of planned entries [a1, b1) then [a2, b2) takes. */
    private int leafBytes(int a1, int b1, int a2, int b2) {
        int entries = (b1 - a1) + (b2 - a2);
        int whole = planStarts[b1] - planStarts[a1] + planStarts[b2] - planStarts[a2] + entries * Node.SLOT_BYTES;
        return entries < 2 ? whole : whole - (entries - 1) * leafPrefix(a1, b1, a2, b2);
    }

    /** Rewrites {@code page} (number {@code pgno}) to hold planned entries [a1, b1) then [a2, b2) under their shared prefix. */
    private void writeLeaf(MemorySegment page, long pgno, int a1, int b1, int a2, int b2) {
        int prefix = leafPrefix(a1, b1, a2, b2);
        int first = a1 < b1 ? a1 : a2;
        Node.initLeaf(page, 0, pgno, plan, Node.keyOffset(planStarts[first], true), prefix);
        int slot = 0;
        for (int j = a1; j < b1; j++) {
            Node.insertStripped(page, 0, slot++, plan, planStarts[j], planStarts[j + 1] - planStarts[j], prefix);
        }
        for (int j = a2; j < b2; j++) {
            Node.insertStripped(page, 0, slot++, plan, planStarts[j], planStarts[j + 1] - planStarts[j], prefix);
        }
    }

    /**
     * A full leaf first hands entries to a sibling under the same parent that has room (the left
     * one, else the right one), balancing the bytes of the two, and splits only when neither can
     * take any. Why: keys that arrive nearly in order (256 clients writing "sequential" keys
     * land up to 256 keys apart) and new versions of existing keys insert into the middle of full
     * leaves, and an even split each time left the tree's leaves 66% full (issue #21: the tree was
     * 1.6x etcd's db). Handing entries over first is the B*-tree's rule; a leaf then splits only
     * when its neighbours are full too. The leaf's {@code n} entries are planned.
     */
    private boolean shiftToSibling(MemorySegment page, int n) {
        MemorySegment parent = txn.dirtyPage(pathPgnos[leafLevel - 1]);
        int slotInParent = pathSlots[leafLevel - 1];
        if (slotInParent > 0 && shiftLeft(parent, slotInParent, page, n)) {
            return true;
        }
        return slotInParent + 1 < Page.count(parent, 0) && shiftRight(parent, slotInParent, page, n);
    }

    /** Moves the first planned entries to the left sibling, if that fits with the parent's new separator. */
    private boolean shiftLeft(MemorySegment parent, int slotInParent, MemorySegment page, int n) {
        int siblingSlot = slotInParent - 1;
        truncatePlan(n);
        planChild(parent, siblingSlot);
        int m = planned;
        int best = chooseShift(n, m, true);
        if (best < 0 || !copySeparatorIfItFits(parent, slotInParent, best)) {
            return false;
        }
        MemorySegment sibling = touchChild(parent, siblingSlot);
        writeLeaf(sibling, Page.pgno(sibling, 0), n, m, 0, best);
        writeLeaf(page, Page.pgno(page, 0), best, n, n, n);
        replaceSeparator(parent, slotInParent);
        return true;
    }

    /** Moves the last planned entries to the front of the right sibling, if that fits with the parent's new separator. */
    private boolean shiftRight(MemorySegment parent, int slotInParent, MemorySegment page, int n) {
        int siblingSlot = slotInParent + 1;
        truncatePlan(n);
        planChild(parent, siblingSlot);
        int m = planned;
        int best = chooseShift(n, m, false);
        if (best < 0 || !copySeparatorIfItFits(parent, siblingSlot, best)) {
            return false;
        }
        MemorySegment sibling = touchChild(parent, siblingSlot);
        writeLeaf(sibling, Page.pgno(sibling, 0), best, n, n, m);
        writeLeaf(page, Page.pgno(page, 0), 0, best, best, best);
        replaceSeparator(parent, siblingSlot);
        return true;
    }

    /**
     * How many of the leaf's {@code n} planned entries to move to the sibling planned at [n, m): the
     * first ones ({@code toLeft}) or the last ones, so that both leaves fit and their bytes are as
     * even as can be. Returns the index of the first entry the leaf keeps (to the left) or the first
     * it moves (to the right), or -1 when nothing fits.
     */
    private int chooseShift(int n, int m, boolean toLeft) {
        int best = -1;
        int bestImbalance = Integer.MAX_VALUE;
        for (int k = 1; k < n; k++) {
            int siblingAfter = toLeft ? leafBytes(n, m, 0, k) : leafBytes(n - k, n, n, m);
            if (siblingAfter > Node.USABLE_BYTES) {
                break;
            }
            int pageAfter = toLeft ? leafBytes(k, n, n, n) : leafBytes(0, n - k, n - k, n - k);
            int imbalance = Math.abs(siblingAfter - pageAfter);
            if (pageAfter <= Node.USABLE_BYTES && imbalance < bestImbalance) {
                bestImbalance = imbalance;
                best = toLeft ? k : n - k;
            }
        }
        return best;
    }

    /** Drops planned entries from {@code n} on (a sibling planned before). */
    private void truncatePlan(int n) {
        planned = n;
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
    private boolean copySeparatorIfItFits(MemorySegment parent, int parentSlot, int at) {
        int length = Node.keyLength(plan, planStarts[at], true);
        long old = Node.entry(parent, 0, parentSlot);
        int oldBytes = Node.entryBytes(parent, old, false);
        int newBytes = oldBytes - Node.keyLength(parent, old, false) + length;
        if (Node.usedBytes(parent, 0) - oldBytes + newBytes > Node.USABLE_BYTES) {
            return false;
        }
        copySeparator(at);
        return true;
    }

    /** Copies the key of planned entry {@code at} into {@link #separatorBuffer}. */
    private void copySeparator(int at) {
        long entry = planStarts[at];
        separatorLength = Node.keyLength(plan, entry, true);
        MemorySegment.copy(plan, Node.keyOffset(entry, true), separatorBuffer, 0, separatorLength);
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

    /** Splits the full leaf whose {@code n} entries with the new one (at {@code newSlot}) are planned. */
    private void splitLeaf(Bucket bucket, MemorySegment page, int newSlot, int n) {
        int at = chooseLeafSplit(Page.pgno(page, 0), n, newSlot);
        copySeparator(at);
        long leftPgno = Page.pgno(page, 0);
        long rightPgno = txn.allocate(1);
        writeLeaf(txn.newPage(rightPgno), rightPgno, at, n, n, n);
        writeLeaf(page, leftPgno, 0, at, at, at);
        linkRight(bucket, leafLevel, leftPgno, rightPgno);
    }

    /**
     * Index of the first entry of the right leaf. Appending at the end of a leaf keeps the left one
     * full (sequential loads and compaction fill leaves completely, as LMDB's append does); otherwise
     * the split balances bytes. A valid split always exists: entries are at most half a page, and a
     * new key without the leaf's prefix sorts before or after all its keys, so it can go alone.
     */
    private int chooseLeafSplit(long pgno, int n, int newSlot) {
        for (int at = 1; at < n; at++) {
            sideBytes[2 * at] = leafBytes(0, at, at, at);
            sideBytes[2 * at + 1] = leafBytes(at, n, n, n);
        }
        return balancedSplit(pgno, n, newSlot);
    }

    /**
     * The split index for the sides' bytes in {@link #sideBytes} (left and right of each candidate
     * index): the append rule, else the fitting split with the most even sides.
     */
    private int balancedSplit(long pgno, int n, int newSlot) {
        int best = -1;
        int bestImbalance = Integer.MAX_VALUE;
        for (int at = 1; at < n; at++) {
            int left = sideBytes[2 * at];
            int right = sideBytes[2 * at + 1];
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
            throw new AssertionError("no valid split of page " + pgno + " with " + n + " entries in " + txn.env.path());
        }
        return best;
    }

    /** Splits the full branch at {@code level}, whose {@code n} entries with the new one are planned ({@link #planEntries}). */
    private void split(Bucket bucket, int level, int newSlot, MemorySegment newEntry, int n) {
        long leftPgno = pathPgnos[level];
        MemorySegment page = txn.dirtyPage(leftPgno);
        int at = chooseSplit(page, newEntry, n, newSlot);

        // Separator: first key of the right half. It moves up, and the right page's slot 0 loses it.
        MemorySegment sepSource = splitFromNew[at] ? newEntry : page;
        long sepEntry = splitOffsets[at];
        separatorLength = Node.keyLength(sepSource, sepEntry, false);
        MemorySegment.copy(sepSource, Node.keyOffset(sepEntry, false), separatorBuffer, 0, separatorLength);

        long rightPgno = txn.allocate(1);
        MemorySegment right = txn.newPage(rightPgno);
        Node.init(right, 0, rightPgno, Page.FLAG_BRANCH);
        for (int j = at; j < n; j++) {
            MemorySegment source = splitFromNew[j] ? newEntry : page;
            if (j == at) {
                int bytes = Node.encodeBranch(firstBranchEntryBuffer, Node.child(source, splitOffsets[j]), source, 0, 0);
                Node.insert(right, 0, j - at, firstBranchEntryBuffer, 0, bytes);
            } else {
                Node.insert(right, 0, j - at, source, splitOffsets[j], splitBytes[j]);
            }
        }
        rebuild(page, newEntry, 0, at);
        linkRight(bucket, level, leftPgno, rightPgno);
    }

    /** Puts the new right page of a split at {@code level} under the left one's parent (a new root at the top), separated by {@link #separatorBuffer}. */
    private void linkRight(Bucket bucket, int level, long leftPgno, long rightPgno) {
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
     * Index of the first entry of the right branch. Appending at the end keeps the left page full;
     * otherwise the split balances bytes. With entries at most half a page a valid split always exists.
     */
    private int chooseSplit(MemorySegment page, MemorySegment newEntry, int n, int newSlot) {
        int total = 0;
        for (int j = 0; j < n; j++) {
            total += splitBytes[j] + Node.SLOT_BYTES;
        }
        int left = 0;
        for (int at = 1; at < n; at++) {
            left += splitBytes[at - 1] + Node.SLOT_BYTES;
            sideBytes[2 * at] = left;
            sideBytes[2 * at + 1] = total - left - Node.keyLength(splitFromNew[at] ? newEntry : page, splitOffsets[at], false);
        }
        return balancedSplit(Page.pgno(page, 0), n, newSlot);
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
        if (Node.isLeaf(rightSegment, rightBase)) {
            // Two leaves become one under the prefix all their keys share, if they fit.
            clearPlan();
            planPage(leftSegment, leftBase, -1, null, 0);
            planPage(rightSegment, rightBase, -1, null, 0);
            if (leafBytes(0, planned, planned, planned) > Node.USABLE_BYTES) {
                return;
            }
            long leftCopy = touchLeft(parent, leftSlot, leftPgno);
            writeLeaf(txn.dirtyPage(leftCopy), leftCopy, 0, planned, planned, planned);
            dropRight(bucket, level, parent, rightSlot, rightPgno);
            return;
        }

        long sepEntry = Node.entry(parent, 0, rightSlot);
        separatorLength = Node.keyLength(parent, sepEntry, false);
        MemorySegment.copy(parent, Node.keyOffset(sepEntry, false), separatorBuffer, 0, separatorLength);
        int merged = Node.usedBytes(leftSegment, leftBase) + Node.usedBytes(rightSegment, rightBase)
                + separatorLength - Node.keyLength(rightSegment, Node.entry(rightSegment, rightBase, 0), false);
        if (merged > Node.USABLE_BYTES) {
            return;
        }
        MemorySegment left = txn.dirtyPage(touchLeft(parent, leftSlot, leftPgno));
        Node.compact(left, 0, scratchPage);
        int rightCount = Page.count(rightSegment, rightBase);
        for (int j = 0; j < rightCount; j++) {
            long e = Node.entry(rightSegment, rightBase, j);
            int at = Page.count(left, 0);
            if (j == 0) {
                int bytes = Node.encodeBranch(firstBranchEntryBuffer, Node.child(rightSegment, e), separatorBuffer, 0, separatorLength);
                Node.insert(left, 0, at, firstBranchEntryBuffer, 0, bytes);
            } else {
                Node.insert(left, 0, at, rightSegment, e, Node.entryBytes(rightSegment, e, false));
            }
        }
        dropRight(bucket, level, parent, rightSlot, rightPgno);
    }

    /** Makes the merge's left page dirty, re-pointing the parent at the copy; returns its number. */
    private long touchLeft(MemorySegment parent, int leftSlot, long leftPgno) {
        long leftCopy = txn.touch(leftPgno);
        if (leftCopy != leftPgno) {
            Node.setChild(parent, Node.entry(parent, 0, leftSlot), leftCopy);
        }
        return leftCopy;
    }

    /** After a merge into the left page: the right one leaves its parent and the file, and the parent is rebalanced. */
    private void dropRight(Bucket bucket, int level, MemorySegment parent, int rightSlot, long rightPgno) {
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
