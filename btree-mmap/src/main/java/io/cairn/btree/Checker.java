package io.cairn.btree;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * Structural check of one snapshot: every page in [2, high-water) is referenced exactly once, by a
 * tree, an overflow run or the freelist (no leak, no double reference); page headers match; keys
 * ascend within pages and stay inside their parent's separators; all leaves sit at one depth; no
 * non-root page is empty; bucket counts match their trees.
 */
public final class Checker {
    /** What the check saw. {@code fillPercent} is live bytes over capacity of all tree pages. */
    public record Report(long txid, long highWaterPages, long branchPages, long leafPages, long overflowPages,
                         long freePages, long keys, int buckets, double fillPercent) {
    }

    private final Txn txn;
    private final MemorySegment view;
    private final long highWaterPages;
    private final long[] seen;
    private long branchPages;
    private long leafPages;
    private long overflowPages;
    private long freePages;
    private long keys;
    private long usedBytes;
    /** A leaf's keys with its prefix put back, alternately (the walk compares each with the one before). */
    private final MemorySegment[] wholeKeys = {
        MemorySegment.ofArray(new byte[Keys.MAX_KEY_BYTES]), MemorySegment.ofArray(new byte[Keys.MAX_KEY_BYTES])};

    Checker(Txn txn) {
        this.txn = txn;
        this.view = txn.view();
        this.highWaterPages = txn.meta.highWaterPages();
        this.seen = new long[(int) ((highWaterPages + 63) / 64)];
    }

    Report run() {
        Meta meta = txn.meta;
        mark(0, "meta");
        mark(1, "meta");
        int leafDepth = -1;
        long directoryEntries = walk(meta.rootPgno(), null, 0, 0, null, 0, 0, true, "directory");
        Cursor c = txn.directory().cursor();
        int buckets = 0;
        for (boolean ok = c.first(); ok; ok = c.next()) {
            String name = new String(c.key().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            MemorySegment record = c.value();
            if (record.byteSize() != Txn.BUCKET_RECORD_BYTES) {
                throw fault("bucket " + name + " record is " + record.byteSize() + " bytes");
            }
            long root = record.get(Page.U64, 0);
            long count = record.get(Page.U64, 8);
            long before = keys;
            long entries = walk(root, null, 0, 0, null, 0, 0, true, "bucket " + name);
            if (entries != count) {
                throw fault("bucket " + name + " record says " + count + " keys, its tree holds " + entries);
            }
            keys = before + entries;
            buckets++;
        }
        if (buckets != directoryEntries) {
            throw fault("directory holds " + directoryEntries + " entries but " + buckets + " were walked");
        }
        checkFreelist(meta.freelistPgno());
        for (long pgno = 2; pgno < highWaterPages; pgno++) {
            if ((seen[(int) (pgno >>> 6)] & (1L << pgno)) == 0) {
                throw fault("page " + pgno + " is leaked: neither referenced nor free");
            }
        }
        long treePages = branchPages + leafPages;
        double fill = treePages == 0 ? 0 : 100.0 * usedBytes / (treePages * (double) Node.USABLE_BYTES);
        assert leafDepth == -1;
        return new Report(meta.txid(), highWaterPages, branchPages, leafPages, overflowPages, freePages, keys, buckets, fill);
    }

    private int treeLeafDepth;

    /** Walks the subtree at {@code pgno} whose keys must lie in [lo, hi); returns its number of leaf entries. */
    private long walk(long pgno, MemorySegment loSegment, long loOffset, int loLength,
                      MemorySegment hiSegment, long hiOffset, int hiLength, boolean root, String tree) {
        return walkAt(pgno, loSegment, loOffset, loLength, hiSegment, hiOffset, hiLength, root, tree, 0);
    }

    private long walkAt(long pgno, MemorySegment loSegment, long loOffset, int loLength,
                        MemorySegment hiSegment, long hiOffset, int hiLength, boolean root, String tree, int depth) {
        if (depth >= Txn.MAX_DEPTH) {
            throw fault(tree + " is deeper than " + Txn.MAX_DEPTH);
        }
        if (root) {
            treeLeafDepth = -1;
        }
        mark(pgno, tree);
        long base = pgno << Page.SHIFT;
        if (Page.pgno(view, base) != pgno) {
            throw fault(tree + ": page " + pgno + " says it is page " + Page.pgno(view, base));
        }
        int flags = Page.flags(view, base);
        if (flags != Page.FLAG_LEAF && flags != Page.FLAG_BRANCH) {
            throw fault(tree + ": page " + pgno + " has flags " + flags + ", expected a branch or leaf");
        }
        boolean leaf = flags == Page.FLAG_LEAF;
        int count = Page.count(view, base);
        int upper = Page.upper(view, base);
        int prefix = Page.prefixLength(view, base);
        if (prefix > (leaf ? Node.MAX_PREFIX_BYTES : 0)) {
            throw fault(tree + ": " + (leaf ? "leaf " : "branch ") + pgno + " has a key prefix of " + prefix + " bytes");
        }
        int dataEnd = Page.SIZE_BYTES - prefix;
        if (upper > dataEnd || upper < Page.HEADER_BYTES + count * Node.SLOT_BYTES) {
            throw fault(tree + ": page " + pgno + " has data start " + upper + " with " + count + " slots");
        }
        if (count == 0 && (!root || !leaf)) {
            throw fault(tree + ": page " + pgno + " is empty but not a root leaf");
        }
        if (leaf) {
            branchOrLeaf(true);
            if (treeLeafDepth == -1) {
                treeLeafDepth = depth;
            } else if (treeLeafDepth != depth) {
                throw fault(tree + ": leaf " + pgno + " at depth " + depth + ", other leaves at " + treeLeafDepth);
            }
        } else {
            branchOrLeaf(false);
        }
        usedBytes += count * Node.SLOT_BYTES + prefix;
        long entries = 0;
        MemorySegment previousSegment = view;
        long previousKey = -1;
        int previousKeyLength = 0;
        for (int i = 0; i < count; i++) {
            int offset = Page.u16(view, base + Page.HEADER_BYTES + (long) i * Node.SLOT_BYTES);
            if (offset < upper || offset >= dataEnd) {
                throw fault(tree + ": page " + pgno + " slot " + i + " points at " + offset + ", outside the data area");
            }
            long e = base + offset;
            int bytes = Node.entryBytes(view, e, leaf);
            if (offset + bytes > dataEnd) {
                throw fault(tree + ": page " + pgno + " slot " + i + " runs past the data area's end");
            }
            usedBytes += bytes;
            MemorySegment keySegment = view;
            int keyLength = Node.keyLength(view, e, leaf);
            long keyOffset = Node.keyOffset(e, leaf);
            if (prefix > 0) {
                // The whole key, in one of two buffers: the previous key stays in the other.
                if (prefix + keyLength > Keys.MAX_KEY_BYTES) {
                    throw fault(tree + ": leaf " + pgno + " slot " + i + " has a key of " + (prefix + keyLength) + " bytes");
                }
                keySegment = wholeKeys[i & 1];
                Node.copyFullKey(view, base, e, keySegment, 0);
                keyOffset = 0;
                keyLength += prefix;
            }
            boolean keyMatters = leaf || i > 0;
            if (keyMatters) {
                if (previousKey >= 0
                        && Keys.compare(previousSegment, previousKey, previousKeyLength, keySegment, keyOffset, keyLength) >= 0) {
                    throw fault(tree + ": page " + pgno + " slot " + i + " is not above slot " + (i - 1));
                }
                if (loSegment != null && Keys.compare(keySegment, keyOffset, keyLength, loSegment, loOffset, loLength) < 0) {
                    throw fault(tree + ": page " + pgno + " slot " + i + " is below its parent's separator");
                }
                if (hiSegment != null && Keys.compare(keySegment, keyOffset, keyLength, hiSegment, hiOffset, hiLength) >= 0) {
                    throw fault(tree + ": page " + pgno + " slot " + i + " is not below the next separator");
                }
                previousSegment = keySegment;
                previousKey = keyOffset;
                previousKeyLength = keyLength;
            }
            if (leaf) {
                entries++;
                if (Node.isOverflow(view, e)) {
                    checkOverflow(Node.overflowPgno(view, e), Node.valueLength(view, e), tree);
                }
            } else {
                MemorySegment childLo = i == 0 ? loSegment : view;
                long childLoOffset = i == 0 ? loOffset : keyOffset;
                int childLoLength = i == 0 ? loLength : keyLength;
                MemorySegment childHi = hiSegment;
                long childHiOffset = hiOffset;
                int childHiLength = hiLength;
                if (i + 1 < count) {
                    long next = base + Page.u16(view, base + Page.HEADER_BYTES + (long) (i + 1) * Node.SLOT_BYTES);
                    childHi = view;
                    childHiOffset = Node.keyOffset(next, false);
                    childHiLength = Node.keyLength(view, next, false);
                }
                entries += walkAt(Node.child(view, e), childLo, childLoOffset, childLoLength,
                        childHi, childHiOffset, childHiLength, false, tree, depth + 1);
            }
        }
        return entries;
    }

    private void branchOrLeaf(boolean leaf) {
        if (leaf) {
            leafPages++;
        } else {
            branchPages++;
        }
    }

    private void checkOverflow(long pgno, int valueLength, String tree) {
        long base = pgno << Page.SHIFT;
        int pages = Page.runPagesFor(valueLength);
        if (pgno < 2 || pgno + pages > highWaterPages) {
            throw fault(tree + ": overflow run " + pgno + " of " + pages + " pages is outside the file");
        }
        if (Page.flags(view, base) != Page.FLAG_OVERFLOW || Page.runPages(view, base) != pages || Page.pgno(view, base) != pgno) {
            throw fault(tree + ": overflow run at page " + pgno + " has a wrong header");
        }
        for (int i = 0; i < pages; i++) {
            mark(pgno + i, tree + " overflow");
        }
        overflowPages += pages;
    }

    private void checkFreelist(long pgno) {
        if (pgno < 2 || pgno >= highWaterPages) {
            throw fault("freelist page " + pgno + " is outside the file");
        }
        long base = pgno << Page.SHIFT;
        int pages = Page.runPages(view, base);
        if (Page.flags(view, base) != Page.FLAG_FREELIST || Page.pgno(view, base) != pgno || pages < 1
                || pgno + pages > highWaterPages) {
            throw fault("freelist run at page " + pgno + " has a wrong header");
        }
        for (int i = 0; i < pages; i++) {
            mark(pgno + i, "freelist run");
        }
        int ids = Page.idCount(view, base);
        if (Page.HEADER_BYTES + 8L * ids > (long) pages * Page.SIZE_BYTES) {
            throw fault("freelist run at page " + pgno + " claims " + ids + " ids, more than its " + pages + " pages hold");
        }
        for (int i = 0; i < ids; i++) {
            long free = view.get(Page.U64, base + Page.HEADER_BYTES + 8L * i);
            mark(free, "freelist");
        }
        freePages = ids;
    }

    private void mark(long pgno, String owner) {
        if (pgno < 0 || pgno >= highWaterPages) {
            throw fault(owner + " references page " + pgno + ", outside [0, " + highWaterPages + ")");
        }
        int word = (int) (pgno >>> 6);
        long bit = 1L << pgno;
        if ((seen[word] & bit) != 0) {
            throw fault(owner + " references page " + pgno + ", which is referenced elsewhere too");
        }
        seen[word] |= bit;
    }

    private CorruptionException fault(String what) {
        return new CorruptionException(txn.env.path() + " txid " + txn.meta.txid() + ": " + what);
    }
}
