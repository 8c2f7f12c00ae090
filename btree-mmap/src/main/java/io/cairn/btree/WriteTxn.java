package io.cairn.btree;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import io.cairn.posix.NoSpaceLeftException;
import io.cairn.posix.PosixException;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * The one write transaction. Pages it changes are copied into dirty buffers under new page
 * numbers (copy-on-write); committed pages are never modified. Commit writes the dirty pages with
 * pwrite, then publishes the new meta; abort drops the buffers and restores the freelist.
 *
 * <p>A thread's write transactions are one object, begun again by each of its
 * {@link Env#beginWrite()} calls while no other thread began one in between (issue #21: a
 * transaction object per put was about 70 bytes), as bucket handles are: between two transactions
 * it throws like any ended transaction, but a reference kept into the thread's next one acts on the
 * next one. A cursor positioned in an earlier transaction throws when used without a new seek
 * ({@link #modCount} goes on counting across them).
 */
public final class WriteTxn extends Txn {
    /** A transaction whose dirty map has this many slots per page it used shrinks the map at its end. */
    private static final int DIRTY_CAPACITY_PER_PAGE_MAX = 8;
    /** Dirty pages of a small transaction (a put touches a leaf, its branches, the directory): no shrink below. */
    private static final int DIRTY_PAGES_TYPICAL = 64;
    /** The writer's reused collections (see TreeWriter#dirtyPages), empty at begin, cleared at end. */
    private final Long2ObjectHashMap<MemorySegment> dirty;
    /** Open buckets, few (an application has a handful): searched by name, no map node per bucket. */
    private final List<Bucket> buckets;
    private Bucket directory;
    private final TreeWriter writer;
    private long highWaterPages;
    /** Writes so far, across the transactions this object served: a cursor's check that nothing moved under it. */
    private long modCount;
    /** Which of the transactions this object served is the current one: handles bound to an earlier one are stale. */
    private long generation;
    /** A write failed half-way (no space): the transaction can only be aborted. */
    private boolean failed;

    /** The environment's write transaction object, begun at once on {@code meta}. */
    WriteTxn(Env env, Meta meta, TreeWriter writer) {
        super(env, meta);
        this.writer = writer;
        this.dirty = writer.dirtyPages;
        this.buckets = writer.openBuckets;
        start(meta);
    }

    /** Begins the next transaction on {@code meta} with this object (see the class comment). */
    void begin(Meta meta) {
        assert closed : "the previous write transaction did not end";
        reopen(meta);
        start(meta);
    }

    private void start(Meta meta) {
        assert dirty.isEmpty() && buckets.isEmpty() : "the previous write transaction did not end";
        generation++;
        modCount++; // cursors positioned in the previous transaction are stale
        failed = false;
        highWaterPages = meta.highWaterPages();
        directory = writer.directoryHandle.bind(this, meta.rootPgno(), -1);
        writer.begin(this);
    }

    long generation() {
        return generation;
    }

    @Override
    MemorySegment pageSegment(long pgno) {
        MemorySegment d = dirty.get(pgno);
        return d == null ? pages : d;
    }

    @Override
    Bucket handle(String name, long rootPgno, long count) {
        return writer.reusableHandle(this, name).bind(this, rootPgno, count);
    }

    @Override
    MemorySegment searchKey(byte[] key) {
        return writer.searchKey(key);
    }

    @Override
    Bucket directory() {
        return directory;
    }

    @Override
    long directoryRootPgno() {
        return directory.rootPgno; // moves when this transaction writes the directory
    }

    @Override
    long modCount() {
        return modCount;
    }

    /** Slots in the reused dirty-page map (tests). */
    int dirtyPageCapacity() {
        return dirty.capacity();
    }

    TreeWriter writer() {
        checkOpen();
        if (failed) {
            throw new IllegalStateException("write transaction on " + env.path() + " failed earlier; abort it");
        }
        modCount++;
        return writer;
    }

    @Override
    public Bucket bucket(String name) {
        checkOpen();
        for (int i = 0; i < buckets.size(); i++) {
            if (buckets.get(i).name.equals(name)) {
                return buckets.get(i);
            }
        }
        Bucket b = lookupBucket(name);
        if (b != null) {
            buckets.add(b);
        }
        return b;
    }

    /** The bucket named {@code name}, created empty if absent. */
    public Bucket createBucketIfAbsent(String name) {
        Bucket existing = bucket(name);
        if (existing != null) {
            return existing;
        }
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length == 0 || nameBytes.length > Keys.MAX_KEY_BYTES) {
            throw new IllegalArgumentException("bucket name must be 1.." + Keys.MAX_KEY_BYTES + " bytes of UTF-8: '" + name + "'");
        }
        writer();
        long root = allocate(1);
        Node.init(newPage(root), 0, root, Page.FLAG_LEAF);
        Bucket b = handle(name, root, 0);
        b.dirty = true;
        buckets.add(b);
        writeRecord(b);
        return b;
    }

    /** Deletes the bucket and frees its pages; returns false if it did not exist. */
    public boolean deleteBucket(String name) {
        Bucket b = bucket(name);
        if (b == null) {
            return false;
        }
        writer().freeTree(b.rootPgno, 0);
        writer.delete(directory, MemorySegment.ofArray(name.getBytes(StandardCharsets.UTF_8)));
        b.deleted = true;
        buckets.remove(b);
        return true;
    }

    /**
     * Gives the bucket {@code from} the name {@code to}, keeping its pages: a bucket filled over
     * several transactions under a name no reader looks at replaces another in one transaction.
     * Returns false if {@code from} does not exist; throws if {@code to} does.
     */
    public boolean renameBucket(String from, String to) {
        Bucket b = bucket(from);
        if (b == null) {
            return false;
        }
        if (bucket(to) != null) {
            throw new IllegalStateException("bucket '" + to + "' exists: delete it before renaming '" + from + "' to it");
        }
        byte[] toBytes = to.getBytes(StandardCharsets.UTF_8);
        if (toBytes.length == 0 || toBytes.length > Keys.MAX_KEY_BYTES) {
            throw new IllegalArgumentException("bucket name must be 1.." + Keys.MAX_KEY_BYTES + " bytes of UTF-8: '" + to + "'");
        }
        writer().delete(directory, MemorySegment.ofArray(from.getBytes(StandardCharsets.UTF_8)));
        b.deleted = true;
        buckets.remove(b);
        Bucket renamed = handle(to, b.rootPgno, b.count);
        buckets.add(renamed);
        writeRecord(renamed);
        return true;
    }

    private void writeRecord(Bucket b) {
        MemorySegment record = writer.bucketRecord;
        record.set(Page.U64, 0, b.rootPgno);
        record.set(Page.U64, 8, b.count);
        writer.put(directory, nameKey(b.name), record);
        b.dirty = false;
    }

    // ---- page allocation (used by TreeWriter)

    long allocate(int pages) {
        long pgno = env.freelist().allocate(pages);
        if (pgno == 0) {
            long newHighWater = highWaterPages + pages;
            if (newHighWater << Page.SHIFT > env.options().mapSizeBytes()) {
                failed = true;
                throw new NoSpaceException("no space: " + env.path() + " would need " + (newHighWater << Page.SHIFT)
                        + " bytes, the map size is " + env.options().mapSizeBytes()
                        + " bytes (abort this transaction; reopen with a larger mapSizeBytes or compact)");
            }
            pgno = highWaterPages;
            highWaterPages = newHighWater;
        }
        env.freelist().allocated(pgno, pages);
        return pgno;
    }

    MemorySegment newPage(long pgno) {
        MemorySegment buffer = env.takePageBuffer();
        MemorySegment previous = dirty.put(pgno, buffer);
        assert previous == null : "page " + pgno + " allocated twice";
        return buffer;
    }

    MemorySegment newRun(long pgno, int pages) {
        if (pages == 1) {
            return newPage(pgno);
        }
        MemorySegment buffer = env.allocateRunBuffer(pages);
        MemorySegment previous = dirty.put(pgno, buffer);
        assert previous == null : "run " + pgno + " allocated twice";
        return buffer;
    }

    /** The dirty buffer of page {@code pgno}, which must have been touched in this transaction. */
    MemorySegment dirtyPage(long pgno) {
        MemorySegment d = dirty.get(pgno);
        assert d != null : "page " + pgno + " is not dirty";
        return d;
    }

    boolean isDirty(long pgno) {
        return dirty.containsKey(pgno);
    }

    /** Copy-on-write: returns the pgno of a dirty copy of page {@code pgno} (itself if already dirty). */
    long touch(long pgno) {
        if (dirty.containsKey(pgno)) {
            return pgno;
        }
        long copy = allocate(1);
        MemorySegment buffer = newPage(copy);
        MemorySegment.copy(pages, pgno << Page.SHIFT, buffer, 0, Page.SIZE_BYTES);
        Page.setPgno(buffer, 0, copy);
        env.freelist().freeLater(pgno);
        return copy;
    }

    /** Frees a page or run: at once if this transaction allocated it, else once old readers finish. */
    void free(long pgno, int pages) {
        MemorySegment d = dirty.remove(pgno);
        for (int i = 0; i < pages; i++) {
            if (d != null) {
                env.freelist().freeNow(pgno + i);
            } else {
                env.freelist().freeLater(pgno + i);
            }
        }
        if (d != null && pages == 1) {
            env.returnPageBuffer(d);
        }
    }

    // ---- commit / abort

    /** Makes the transaction visible to new readers (and durable if the environment syncs on commit). */
    public void commit() throws IOException {
        commit(env.options().syncOnCommit());
    }

    /**
     * Commits; {@code withFreelist} also writes the freelist the new meta names. Unsynced commits skip
     * it (their metas are never written to disk, so their freelist would never be read), which keeps
     * commits from rewriting the whole list and from needing a fresh contiguous run each time; the
     * environment writes it when a meta is about to be made durable or copied.
     */
    void commit(boolean withFreelist) throws IOException {
        checkOpen();
        if (failed) {
            throw new IllegalStateException("write transaction on " + env.path() + " failed earlier; abort it");
        }
        boolean committed = false;
        try {
            if (env.options().syncOnCommit()) {
                env.checkSyncable(); // before writing anything: a commit that cannot be synced must not reuse pages
            }
            for (int i = 0; i < buckets.size(); i++) {
                Bucket b = buckets.get(i);
                if (b.dirty && !b.deleted) {
                    writeRecord(b);
                }
            }
            long freelistPgno = withFreelist ? writeFreelist() : meta.freelistPgno();
            long txid = meta.txid() + 1;
            writeDirtyPages();
            env.publish(new Meta(txid, directory.rootPgno, freelistPgno, highWaterPages), withFreelist);
            committed = true;
        } catch (NoSpaceLeftException e) {
            throw new NoSpaceException("no space: " + e.getMessage() + "; the transaction was aborted and " + env.path()
                    + " keeps its last commit (txid " + meta.txid() + "): " + e.whatToDo() + ", then commit again", e);
        } catch (PosixException e) {
            throw new IOException("commit of txid " + (meta.txid() + 1) + " to " + env.path() + " failed: " + e.getMessage()
                    + "; the transaction was aborted and the file keeps its last commit (txid " + meta.txid() + ")"
                    + (e.whatToDo().isEmpty() ? "" : "; " + e.whatToDo()), e);
        } finally {
            end(committed);
        }
    }

    private long writeFreelist() {
        long old = meta.freelistPgno();
        MemorySegment oldSegment = pageSegment(old);
        free(old, Page.runPages(oldSegment, pageBase(oldSegment, old)));
        // Allocating the run can only shrink the list, so this size is an upper bound.
        long idsUpperBound = env.freelist().persistedIdCount();
        int pages = Page.runPagesFor(8 * idsUpperBound);
        long pgno = allocate(pages);
        MemorySegment run = env.freelistBuffer(pages);
        MemorySegment previous = dirty.put(pgno, run);
        assert previous == null : "freelist run " + pgno + " allocated twice";
        Page.clearHeader(run, 0);
        Page.setPgno(run, 0, pgno);
        Page.setFlags(run, 0, Page.FLAG_FREELIST);
        Page.setRunPages(run, 0, pages);
        long written = env.freelist().write(run, Page.HEADER_BYTES);
        assert written <= idsUpperBound;
        Page.setIdCount(run, 0, (int) written);
        return pgno;
    }

    private void writeDirtyPages() throws IOException {
        long[] pgnos = env.dirtyPgnoScratch(dirty.size());
        int n = 0;
        Long2ObjectHashMap<MemorySegment>.KeyIterator it = dirty.keySet().iterator();
        while (it.hasNext()) {
            pgnos[n++] = it.nextLong();
        }
        Arrays.sort(pgnos, 0, n);
        env.ensureFileSize(highWaterPages << Page.SHIFT);
        env.writePages(pgnos, n, dirty);
    }

    /** Drops every change; the environment stays at its last commit. */
    public void abort() {
        if (!closed) {
            end(false);
        }
    }

    @Override
    public void close() {
        abort();
    }

    private void end(boolean committed) {
        closed = true;
        try {
            if (committed) {
                env.freelist().commitTxn(meta.txid() + 1);
            } else {
                env.freelist().rollbackTxn();
            }
            for (MemorySegment buffer : dirty.values()) {
                if (buffer.byteSize() == Page.SIZE_BYTES && !env.isFreelistBuffer(buffer)) {
                    env.returnPageBuffer(buffer);
                }
            }
            closeArena();
        } finally {
            // The writer's reused collections are empty for the next transaction whatever happened
            // above (a stale dirty page there would be read as the next transaction's).
            int used = dirty.size();
            dirty.clear();
            if (dirty.capacity() > DIRTY_CAPACITY_PER_PAGE_MAX * Math.max(used, DIRTY_PAGES_TYPICAL)) {
                // Clearing and walking the map cost time in proportion to its capacity, which only grows:
                // after one large transaction (a bulk load, a snapshot copied in) every small commit
                // paid for it, half of a one-put commit's time in SmallCommitBench (issue #21).
                dirty.compact();
            }
            buckets.clear();
            env.endWrite();
        }
    }
}
