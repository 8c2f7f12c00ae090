package io.cairn.btree;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import org.agrona.collections.LongArrayQueue;
import org.agrona.collections.LongHashSet;

/**
 * Page ids that can be reused, plus pages freed by recent transactions that some reader (or the
 * last durable meta) may still see. A page freed by transaction T was reachable in snapshot T-1 and
 * earlier, so it moves to {@code free} only once every live reader and the durable meta are at
 * txid >= T. Owned by the writer; every method runs under the writer lock.
 *
 * <p>A page written after the newest meta that is durable or being made durable ("young") is in no
 * tree a crash could come back to. Once a transaction T frees it, only readers can still see it, so
 * it is reusable when every reader is at txid >= T, without waiting for a sync. Between two syncs
 * (100 ms in the engine) the same root, branch and hot leaf pages are then written over and over in
 * the page cache instead of a new page per commit, and the sync writes each of them once (issue #21:
 * 2.2 pages written per put per member under three-member load, 39% of them branch copies).
 *
 * <p>Sizes are bounded by the number of pages the map can hold (map size / page size).
 */
final class Freelist {
    /** Slots the young set keeps across syncs: ten times the pages of the engine's usual sync interval. */
    private static final int YOUNG_CAPACITY_KEPT = 1 << 15;
    /** False when every commit is made durable: no page is ever young then. */
    private final boolean reuseBeforeSync;
    private long[] free = new long[256];
    private int freeCount;
    /**
     * What the running write transaction did to {@link #free}, oldest first, for a rollback to undo
     * newest first: a page it took ({@code pgno}) or put back at once ({@code ~pgno}, negative). A copy
     * of the whole list at each begin did the same job at a cost that grows with the list: after a
     * large compaction, tens of thousands of ids copied per write transaction (issue #21).
     */
    private long[] undo = new long[64];
    private int undoCount;
    /**
     * Pages freed by committed transactions, waiting for old readers to finish: for each such
     * transaction in txid order, its txid and its count in {@link #pendingTxns}, its pages in
     * {@link #pendingPgnos}. Two queues of longs, not a record and an array per commit (80 bytes
     * per put, issue #21).
     */
    private final LongArrayQueue pendingTxns = new LongArrayQueue(64, Long.MIN_VALUE);
    private final LongArrayQueue pendingPgnos = new LongArrayQueue(256, Long.MIN_VALUE);
    /** The pages a release moves, gathered and sorted before the merge; reused (writer only). */
    private long[] releasedScratch = new long[256];
    /** Pages freed while young, per transaction as in the pending queues, waiting for readers only. */
    private final LongArrayQueue youngFreedTxns = new LongArrayQueue(64, Long.MIN_VALUE);
    private final LongArrayQueue youngFreedPgnos = new LongArrayQueue(256, Long.MIN_VALUE);
    /** Live pages committed after the newest meta that is durable or being made durable (see {@link #protectCommitted}). */
    private final LongHashSet young = new LongHashSet(1024);
    private long[] freedThisTxn = new long[256];
    private int freedThisTxnCount;
    private long[] allocatedThisTxn = new long[64];
    private int allocatedThisTxnCount;

    Freelist(boolean reuseBeforeSync) {
        this.reuseBeforeSync = reuseBeforeSync;
    }

    /** The page ids the freelist run at {@code pgno} lists (every page the meta naming it does not reference), sorted. */
    static long[] readIds(MemorySegment map, long pgno) {
        long base = pgno << Page.SHIFT;
        int ids = Page.idCount(map, base);
        long[] pgnos = new long[ids];
        for (int i = 0; i < ids; i++) {
            pgnos[i] = map.get(Page.U64, base + Page.HEADER_BYTES + 8L * i);
        }
        Arrays.sort(pgnos);
        return pgnos;
    }

    /** Loads the persisted list: at open no reader exists, so everything in it is free. */
    void load(long[] pgnos) {
        free = Arrays.copyOf(pgnos, Math.max(256, pgnos.length));
        freeCount = pgnos.length;
    }

    /** The list of a file swapped in by a defragmentation: the old file's pending pages mean nothing there. */
    void replace(long[] pgnos) {
        pendingTxns.clear();
        pendingPgnos.clear();
        youngFreedTxns.clear();
        youngFreedPgnos.clear();
        young.clear();
        load(pgnos);
    }

    /**
     * The newest committed meta is about to be made durable: every page committed so far is in a
     * tree a crash may come back to, so none of them is young any more. Called under the writer lock
     * by whoever picks that meta, before any later transaction begins.
     */
    void protectCommitted() {
        young.clear();
        if (young.capacity() > YOUNG_CAPACITY_KEPT) {
            young.compact(); // after a bulk load (a snapshot, a migration) between two syncs
        }
    }

    int freeCount() {
        return freeCount;
    }

    /**
     * Moves to the free list the pages freed by transactions that no reader older than
     * {@code oldestReaderTxid} can see: young ones at once, the others once the durable meta
     * ({@code durableTxid}) is at least as new as the transaction that freed them.
     */
    void release(long oldestReaderTxid, long durableTxid) {
        int released = takeFreedUpTo(pendingTxns, pendingPgnos, Math.min(oldestReaderTxid, durableTxid), 0);
        int total = takeFreedUpTo(youngFreedTxns, youngFreedPgnos, oldestReaderTxid, released);
        if (total == 0) {
            return;
        }
        Arrays.sort(releasedScratch, 0, total);
        mergeIntoFree(releasedScratch, total);
    }

    /** Appends to {@link #releasedScratch} from {@code at} the pages the queues hold for transactions {@code <= txid}. */
    private int takeFreedUpTo(LongArrayQueue txns, LongArrayQueue pgnos, long txid, int at) {
        int released = at;
        while (!txns.isEmpty() && txns.peekLong() <= txid) {
            txns.pollLong();
            int count = (int) txns.pollLong();
            if (releasedScratch.length < released + count) {
                releasedScratch = Arrays.copyOf(releasedScratch, Math.max(released + count, 2 * releasedScratch.length));
            }
            for (int i = 0; i < count; i++) {
                releasedScratch[released++] = pgnos.pollLong();
            }
        }
        return released;
    }

    /**
     * Merges the first {@code count} of {@code sorted} into the free list in place, from the back
     * (the list grows only when full): a new list per release was a copy of the whole free list per
     * write transaction (issue #21). Called between transactions, never inside one (its rollback
     * would not undo the merge).
     */
    private void mergeIntoFree(long[] sorted, int count) {
        int total = freeCount + count;
        if (free.length < total) {
            free = Arrays.copyOf(free, Math.max(total, 2 * free.length));
        }
        int a = freeCount - 1;
        int b = count - 1;
        for (int n = total - 1; b >= 0; n--) {
            long next = a >= 0 && free[a] > sorted[b] ? free[a--] : sorted[b--];
            assert n == total - 1 || free[n + 1] > next : "page " + next + " freed twice";
            free[n] = next; // n > a while b >= 0: nothing unread is overwritten
        }
        freeCount = total;
    }

    void beginTxn() {
        undoCount = 0;
        freedThisTxnCount = 0;
        allocatedThisTxnCount = 0;
    }

    /** Puts the list back as it was at {@link #beginTxn}: the transaction's changes undone, newest first. */
    void rollbackTxn() {
        for (int i = undoCount - 1; i >= 0; i--) {
            long change = undo[i];
            if (change >= 0) {
                insert(change); // taken: give it back
            } else {
                remove(~change); // put back at once: take it again
            }
        }
        undoCount = 0;
        freedThisTxnCount = 0;
        allocatedThisTxnCount = 0;
    }

    /** A run of {@code pages} consecutive free pages, or 0 if there is none. */
    long allocate(int pages) {
        assert pages >= 1;
        if (pages == 1) {
            if (freeCount == 0) {
                return 0;
            }
            long pgno = free[--freeCount];
            logUndo(pgno);
            return pgno;
        }
        for (int i = freeCount - pages; i >= 0; i--) {
            if (free[i + pages - 1] - free[i] == pages - 1) {
                long first = free[i];
                System.arraycopy(free, i + pages, free, i, freeCount - i - pages);
                freeCount -= pages;
                for (int p = 0; p < pages; p++) {
                    logUndo(first + p);
                }
                return first;
            }
        }
        return 0;
    }

    /** The running transaction took {@code pages} pages from {@code pgno} (from this list or past the high-water mark). */
    void allocated(long pgno, int pages) {
        if (!reuseBeforeSync) {
            return;
        }
        if (allocatedThisTxnCount + pages > allocatedThisTxn.length) {
            int length = Math.max(allocatedThisTxnCount + pages, 2 * allocatedThisTxn.length);
            allocatedThisTxn = Arrays.copyOf(allocatedThisTxn, length);
        }
        for (int p = 0; p < pages; p++) {
            allocatedThisTxn[allocatedThisTxnCount++] = pgno + p;
        }
    }

    /** Frees a page no reader can see (allocated by the running transaction): reusable at once. */
    void freeNow(long pgno) {
        insert(pgno);
        logUndo(~pgno);
    }

    private void logUndo(long change) {
        if (undoCount == undo.length) {
            undo = Arrays.copyOf(undo, undo.length * 2);
        }
        undo[undoCount++] = change;
    }

    private void insert(long pgno) {
        int at = Arrays.binarySearch(free, 0, freeCount, pgno);
        assert at < 0 : "page " + pgno + " freed twice";
        int insertAt = -(at + 1);
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        System.arraycopy(free, insertAt, free, insertAt + 1, freeCount - insertAt);
        free[insertAt] = pgno;
        freeCount++;
    }

    private void remove(long pgno) {
        int at = Arrays.binarySearch(free, 0, freeCount, pgno);
        assert at >= 0 : "page " + pgno + " is not free";
        System.arraycopy(free, at + 1, free, at, freeCount - at - 1);
        freeCount--;
    }

    /** Frees a committed page: reusable once no reader older than this transaction remains. */
    void freeLater(long pgno) {
        if (freedThisTxnCount == freedThisTxn.length) {
            freedThisTxn = Arrays.copyOf(freedThisTxn, freedThisTxn.length * 2);
        }
        freedThisTxn[freedThisTxnCount++] = pgno;
    }

    void commitTxn(long txid) {
        undoCount = 0;
        int youngFreed = 0;
        for (int i = 0; i < freedThisTxnCount; i++) {
            // Partitioned in place, the young ones to the front (order does not matter: a release sorts).
            long pgno = freedThisTxn[i];
            if (young.remove(pgno)) {
                freedThisTxn[i] = freedThisTxn[youngFreed];
                freedThisTxn[youngFreed++] = pgno;
            }
        }
        enqueue(youngFreedTxns, youngFreedPgnos, txid, 0, youngFreed);
        enqueue(pendingTxns, pendingPgnos, txid, youngFreed, freedThisTxnCount);
        freedThisTxnCount = 0;
        for (int i = 0; i < allocatedThisTxnCount; i++) {
            long pgno = allocatedThisTxn[i];
            if (Arrays.binarySearch(free, 0, freeCount, pgno) < 0) { // not taken and given back at once
                young.add(pgno);
            }
        }
        allocatedThisTxnCount = 0;
    }

    private void enqueue(LongArrayQueue txns, LongArrayQueue pgnos, long txid, int from, int to) {
        if (from == to) {
            return;
        }
        txns.addLong(txid);
        txns.addLong(to - from);
        for (int i = from; i < to; i++) {
            pgnos.addLong(freedThisTxn[i]);
        }
    }

    /** Ids the persisted list holds: after reopen no reader exists, so free and pending are all free. */
    long persistedIdCount() {
        return (long) freeCount + pendingPgnos.size() + youngFreedPgnos.size() + freedThisTxnCount;
    }

    /** Writes every persisted id as u64 starting at {@code offset}; returns the number written. */
    long write(MemorySegment out, long offset) {
        long n = 0;
        for (int i = 0; i < freeCount; i++) {
            out.set(Page.U64, offset + 8 * n++, free[i]);
        }
        LongArrayQueue.LongIterator pendingIds = pendingPgnos.iterator();
        while (pendingIds.hasNext()) {
            out.set(Page.U64, offset + 8 * n++, pendingIds.nextValue());
        }
        LongArrayQueue.LongIterator youngIds = youngFreedPgnos.iterator();
        while (youngIds.hasNext()) {
            out.set(Page.U64, offset + 8 * n++, youngIds.nextValue());
        }
        for (int i = 0; i < freedThisTxnCount; i++) {
            out.set(Page.U64, offset + 8 * n++, freedThisTxn[i]);
        }
        return n;
    }
}
