package io.cairn.btree;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import org.agrona.collections.LongArrayList;
import org.agrona.collections.LongHashSet;

/**
 * The changes between two snapshots of one environment, found from their trees' shapes. A commit
 * copies every page it changes to a new page number and shares all others, and a page reachable
 * from an open snapshot is never reused, so while both snapshots are held open a page number found
 * in both trees holds the same bytes in both. So the keys that differ all lie in the leaves one tree
 * has and the other does not: only those leaves are read, plus the branch pages of both trees (a
 * small fraction of a tree), whatever the shapes after splits and merges.
 */
final class TreeDiff {
    private TreeDiff() {
    }

    /** Writes into {@code to} what turns {@code older}'s contents into {@code newer}'s; both must be open. */
    static void apply(ReadTxn older, ReadTxn newer, BatchedWriter to) throws IOException {
        for (String name : older.bucketNames()) {
            if (newer.bucket(name) == null) {
                to.deleteBucket(name);
            }
        }
        for (String name : newer.bucketNames()) {
            Bucket was = older.bucket(name);
            Bucket now = newer.bucket(name);
            if (was == null) {
                to.copyBucket(now);
            } else if (was.rootPgno != now.rootPgno) {
                applyBucket(was, now, to);
            }
        }
    }

    private static void applyBucket(Bucket was, Bucket now, BatchedWriter to) throws IOException {
        LongHashSet wasPages = pages(was.txn, was.rootPgno);
        LongHashSet nowPages = pages(now.txn, now.rootPgno);
        // Deleted keys: in a leaf only the older tree has, and absent from the newer one.
        LongArrayList wasOnly = leavesNotIn(was.txn, was.rootPgno, nowPages);
        for (int l = 0; l < wasOnly.size(); l++) {
            long leaf = wasOnly.getLong(l);
            MemorySegment pages = was.txn.pages;
            long base = leaf << Page.SHIFT;
            for (int i = 0, n = Page.count(pages, base); i < n; i++) {
                MemorySegment key = was.txn.key(pages, base, Node.entry(pages, base, i));
                if (now.get(key) == null) {
                    to.delete(now.name(), key);
                }
            }
        }
        // Added and changed keys: every entry of a leaf only the newer tree has.
        LongArrayList nowOnly = leavesNotIn(now.txn, now.rootPgno, wasPages);
        for (int l = 0; l < nowOnly.size(); l++) {
            long leaf = nowOnly.getLong(l);
            MemorySegment pages = now.txn.pages;
            long base = leaf << Page.SHIFT;
            for (int i = 0, n = Page.count(pages, base); i < n; i++) {
                long entry = Node.entry(pages, base, i);
                to.put(now.name(), now.txn.key(pages, base, entry), now.txn.value(pages, entry));
            }
        }
    }

    /**
     * The page numbers of a tree's branch and leaf pages. Only branch pages are read: every leaf is at
     * the same depth, so the children of the last branch level are leaves without reading them.
     */
    static LongHashSet pages(Txn txn, long rootPgno) {
        LongHashSet into = new LongHashSet();
        collect(txn.pages, rootPgno, height(txn.pages, rootPgno), into);
        return into;
    }

    private static void collect(MemorySegment pages, long pgno, int levelsBelow, LongHashSet into) {
        into.add(pgno);
        if (levelsBelow == 0) {
            return;
        }
        long base = pgno << Page.SHIFT;
        for (int i = 0, n = Page.count(pages, base); i < n; i++) {
            collect(pages, Node.child(pages, Node.entry(pages, base, i)), levelsBelow - 1, into);
        }
    }

    /** Levels below the root (0 for a root leaf), along the leftmost path. */
    private static int height(MemorySegment pages, long rootPgno) {
        int levels = 0;
        long pgno = rootPgno;
        while (!Node.isLeaf(pages, pgno << Page.SHIFT)) {
            if (++levels > Txn.MAX_DEPTH) {
                throw new CorruptionException("tree at page " + rootPgno + " is deeper than " + Txn.MAX_DEPTH + " levels");
            }
            long base = pgno << Page.SHIFT;
            pgno = Node.child(pages, Node.entry(pages, base, 0));
        }
        return levels;
    }

    /** The leaves of the tree at {@code rootPgno} whose page numbers {@code other} lacks, in key order. */
    static LongArrayList leavesNotIn(Txn txn, long rootPgno, LongHashSet other) {
        LongArrayList leaves = new LongArrayList();
        collectOutside(txn.pages, rootPgno, height(txn.pages, rootPgno), other, leaves);
        return leaves;
    }

    private static void collectOutside(MemorySegment pages, long pgno, int levelsBelow, LongHashSet other,
                                       LongArrayList leaves) {
        if (other.contains(pgno)) {
            return; // shared: the whole subtree is the same in both snapshots
        }
        if (levelsBelow == 0) {
            leaves.add(pgno);
            return;
        }
        long base = pgno << Page.SHIFT;
        for (int i = 0, n = Page.count(pages, base); i < n; i++) {
            collectOutside(pages, Node.child(pages, Node.entry(pages, base, i)), levelsBelow - 1, other, leaves);
        }
    }
}
