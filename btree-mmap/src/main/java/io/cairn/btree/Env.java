package io.cairn.btree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import io.cairn.posix.NativePosix;
import io.cairn.posix.OpenFile;
import io.cairn.posix.Posix;
import io.cairn.posix.PosixException;
import io.cairn.posix.WriteBatch;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * One B+tree file: two meta pages, then tree, overflow and freelist pages. The file is mapped
 * once, read-only, over the whole reserved map size, so growing the file never remaps under a
 * reader; pages are written with pwrite, never through the map.
 *
 * <p>Every native call (and the file's creation) goes through one {@link Posix}: libc, or a fault layer
 * in tests.
 *
 * <p>Thread safety: read transactions from any threads; one write transaction at a time (others
 * block in {@link #beginWrite()}); {@link #sync()} from any thread.
 */
public final class Env implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Env.class.getName());
    /** Dirty page buffers kept for reuse between write transactions (32 MiB). */
    private static final int PAGE_POOL_MAX_BUFFERS = 8192;
    /** Page writes per io_submit; 256 is a commit of ~100 scattered puts (2.65 pages a put) in one call. */
    private static final int PAGE_WRITES_PER_BATCH = 256;
    /**
     * The file grows to a multiple of a 32nd of its size, 1 to 64 MiB: it holds at most about 3%
     * more than the tree's pages (bbolt adds 16 MiB chunks). A growth is one fallocate; the map is
     * reserved at open, so nothing is remapped. An eighth (up to 256 MiB) overshot by up to 12.5%:
     * 152 MB of file for 143 MB of tree after 300,000 puts (issue #21, engine/README.md).
     */
    private static final int GROWTH_FRACTION = 32;
    private static final long GROWTH_MIN_BYTES = 1L << 20;
    private static final long GROWTH_MAX_BYTES = 64L << 20;
    private static final int BACKUP_CHUNK_BYTES = 1 << 20;

    private final Path path;
    private final EnvOptions options;
    private final Posix posix;
    /** The file and its map; both change only when {@link #defragment} swaps in the rewritten file (under both locks). */
    private OpenFile file;
    private volatile MemorySegment map;
    /**
     * The file a defragmentation replaced, still mapped for the read transactions begun on it (every one
     * at a txid up to {@link Retired#lastTxid}); unmapped once the last of them ends. Null otherwise.
     */
    private final AtomicReference<Retired> retired = new AtomicReference<>();
    private final ReaderTable readers;
    private final Freelist freelist;
    private final ReentrantLock writerLock = new ReentrantLock();
    /**
     * Held by {@link #sync} (and close) around the meta write, so that a sync's fdatasyncs run
     * outside the writer lock while commits go on. Lock order: syncLock, then writerLock.
     */
    private final ReentrantLock syncLock = new ReentrantLock();
    /**
     * Held by {@link #defragment} for its whole run and by {@link #replaceWith}: a replacement during a
     * defragmentation's copy would have its catch-up compare the pages of two different files.
     */
    private final ReentrantLock fileSwap = new ReentrantLock();
    private final TreeWriter treeWriter;
    /**
     * The last write transaction's object and the thread that began it: that thread's next
     * {@link #beginWrite()} begins it again (under the writer lock). Another thread gets a new one, so
     * a thread's late {@code close()} of its committed transaction (try-with-resources) can never end
     * a transaction another thread began meanwhile (the tree's sync thread begins its own).
     */
    private WriteTxn reusableWriteTxn;
    private Thread reusableWriteTxnThread;
    private final ArrayDeque<MemorySegment> pagePool = new ArrayDeque<>();
    /** What one madvise of {@link #unmapPages} covers: at most 16,384 mapped pages to take out, a millisecond or so. */
    private static final long UNMAP_CHUNK_BYTES = 64L << 20;
    /** Held by {@link #unmapPages} and around every unmap of a map that was this environment's (close, a retired map's release). */
    private final ReentrantLock mapLifetimeLock = new ReentrantLock();
    /** A commit's page writes, handed to the kernel {@value #PAGE_WRITES_PER_BATCH} at a time ({@link #writePages}). */
    private final WriteBatch pageWrites = new WriteBatch(PAGE_WRITES_PER_BATCH);
    private long[] dirtyPgnos = new long[1024];
    private MemorySegment freelistBuffer = Arena.ofAuto().allocate(Page.SIZE_BYTES, Page.SIZE_BYTES);
    private final MemorySegment metaBuffer = Arena.ofAuto().allocate(Page.SIZE_BYTES, Page.SIZE_BYTES);

    private volatile Meta current;
    private volatile boolean closed;
    /**
     * Newest txid whose meta is on disk after an fdatasync; its pages are never reused (a crash
     * returns to it). Written by the meta writer, read by beginWrite under the writer lock.
     */
    private volatile long durableTxid;
    private long freelistTxid; // the newest meta whose freelist is on disk; guarded by writerLock
    private int durableSlot; // guarded by whoever writes metas: syncLock, or writerLock when commits sync
    /** Written under the writer lock; volatile so {@link #fileSizeBytes()} reads it without waiting for a commit. */
    private volatile long fileSizeBytes;
    /**
     * The first failed fdatasync of the file, or null. The kernel may have dropped the pages it could
     * not write and marked them clean (PostgreSQL's "fsyncgate"), so a later fdatasync can succeed
     * without them: from then on no sync and no syncing commit may report anything durable.
     */
    private volatile IOException syncFailure;
    /** See {@link #sizeInUseBytes}; written under the writer lock (or while nothing else runs), read by anyone. */
    private volatile long inUsePages;

    /** A file as {@link #openFile} found it: open, flocked, mapped, its valid meta chosen. */
    private record Opened(OpenFile file, MemorySegment map, Meta meta, int metaSlot, long sizeBytes) {
    }

    /** A file replaced by {@link #defragment}: mapped until no reader at {@code lastTxid} or older remains. */
    private record Retired(OpenFile file, MemorySegment map, long lastTxid) {
    }

    private Env(Path path, EnvOptions options, Posix posix, Opened opened) {
        this.path = path;
        this.options = options;
        this.posix = posix;
        this.file = opened.file();
        this.map = opened.map();
        this.readers = new ReaderTable(options.maxReaders());
        this.treeWriter = new TreeWriter(options.maxValueBytes());
        this.freelist = new Freelist(!options.syncOnCommit());
        this.current = opened.meta();
        this.durableTxid = opened.meta().txid();
        this.freelistTxid = opened.meta().txid();
        this.durableSlot = opened.metaSlot();
        this.fileSizeBytes = opened.sizeBytes();
    }

    public static Env open(Path path) throws IOException {
        return open(path, EnvOptions.defaults());
    }

    /** Opens (creating if absent or empty) the B+tree file at {@code path}. */
    public static Env open(Path path, EnvOptions options) throws IOException {
        return open(path, options, NativePosix.INSTANCE);
    }

    /**
     * Opens (creating if absent or empty) the B+tree file at {@code path}, making every native call
     * through {@code posix}: {@link NativePosix#INSTANCE}, or a fault layer that cuts the power or
     * injects disk errors.
     */
    public static Env open(Path path, EnvOptions options, Posix posix) throws IOException {
        Opened opened = openFile(path, options, posix);
        Path scratch = defragScratch(path);
        if (Files.exists(scratch)) {
            LOG.log(System.Logger.Level.INFO, "{0}: deleting {1}, left by a defragmentation a crash interrupted (the file"
                    + " was not replaced)", path, scratch.getFileName());
            posix.unlink(scratch);
        }
        Env env = new Env(path, options, posix, opened);
        env.loadFreelist();
        return env;
    }

    /** Opens, flocks, checks and maps the file (creating it if absent or empty); closes it again on any failure. */
    private static Opened openFile(Path path, EnvOptions options, Posix posix) throws IOException {
        Path absolute = path.toAbsolutePath();
        String name = absolute.toString();
        OpenFile file = posix.open(absolute, Posix.O_RDWR | Posix.O_CREAT | Posix.O_CLOEXEC, 0644);
        MemorySegment map = null;
        boolean ok = false;
        try {
            if (!posix.tryLockExclusive(file)) {
                throw new IOException(name + " is open in another process (flock held)");
            }
            long size = posix.sizeBytes(file);
            if (FreshFile.mayBeInterruptedCreation(size) && interruptedCreation(posix, file)) {
                if (size > 0) {
                    LOG.log(System.Logger.Level.WARNING, "{0}: its creation was cut short (a crash before its first sync;"
                            + " nothing was ever committed in it): initializing it again", name);
                }
                initialize(posix, file);
                // Nothing committed here may count as durable while the file's own name could vanish.
                posix.fsyncDirectory(absolute.getParent());
                size = FreshFile.BYTES;
            }
            MemorySegment metas = Arena.ofAuto().allocate(2L * Page.SIZE_BYTES, Page.SIZE_BYTES);
            long read = posix.preadFully(file, metas, 0);
            if (read < 2L * Page.SIZE_BYTES) {
                String magic = read >= 32 ? Meta.problem(metas, 0, 0) : "too short for a meta page";
                throw new StorageFormatException(name + " is not a Cairn btree file: " + size
                        + " bytes, shorter than the two " + Page.SIZE_BYTES + "-byte meta pages ("
                        + (magic == null ? "truncated" : magic) + ")");
            }
            String newer = Meta.newerFormat(metas, 0, 0);
            if (newer == null) {
                newer = Meta.newerFormat(metas, Page.SIZE_BYTES, 1);
            }
            if (newer != null) {
                throw new StorageFormatException(name + ": " + newer);
            }
            String problem0 = Meta.problem(metas, 0, 0);
            String problem1 = Meta.problem(metas, Page.SIZE_BYTES, 1);
            if (problem0 != null && problem1 != null) {
                if (problem0.contains("magic") && problem1.contains("magic")) {
                    throw new StorageFormatException(name + " is not a Cairn btree file (no magic in either meta page)");
                }
                if (problem0.contains("page size")) {
                    throw new StorageFormatException(name + ": " + problem0);
                }
                throw new StorageFormatException(name + ": both meta pages are unusable: " + problem0 + "; " + problem1);
            }
            Meta meta0 = problem0 == null ? Meta.decode(metas, 0) : null;
            Meta meta1 = problem1 == null ? Meta.decode(metas, Page.SIZE_BYTES) : null;
            int slot = meta1 == null || (meta0 != null && meta0.txid() > meta1.txid()) ? 0 : 1;
            Meta meta = slot == 0 ? meta0 : meta1;
            long neededBytes = meta.highWaterPages() << Page.SHIFT;
            if (size < neededBytes) {
                throw new StorageFormatException(name + " is truncated: " + size + " bytes, meta txid " + meta.txid()
                        + " needs " + neededBytes);
            }
            if (neededBytes > options.mapSizeBytes()) {
                throw new StorageFormatException(name + " holds " + neededBytes + " bytes of pages, more than mapSizeBytes "
                        + options.mapSizeBytes() + ": reopen with a larger map size");
            }
            map = posix.mapReadOnly(file, options.mapSizeBytes());
            posix.adviseRandom(file, map);
            Opened opened = new Opened(file, map, meta, slot, size);
            ok = true;
            return opened;
        } finally {
            if (!ok) {
                if (map != null) {
                    posix.unmap(file, map);
                }
                posix.close(file);
            }
        }
    }

    /** Empty, or what a crash during {@link #initialize} leaves (see {@link FreshFile}). */
    private static boolean interruptedCreation(Posix posix, OpenFile file) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment content = arena.allocate(FreshFile.BYTES, Page.SIZE_BYTES);
            long read = posix.preadFully(file, content, 0);
            return FreshFile.isInterruptedCreation(content, read);
        }
    }

    /** A fresh file: metas 0 and 1 (txids 0 and 1), an empty bucket directory (page 2), an empty freelist (page 3). */
    private static void initialize(Posix posix, OpenFile file) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            posix.pwriteFully(file, FreshFile.image(arena), 0);
        }
        posix.fdatasync(file);
    }

    private void loadFreelist() {
        freelist.load(Freelist.readIds(map, current.freelistPgno()));
        noteInUse();
    }

    /** After the tree or its freelist changed: the pages the newest tree does not use are the freelist's. */
    private void noteInUse() {
        inUsePages = current.highWaterPages() - freelist.persistedIdCount();
    }

    // ---- transactions

    /** Begins a read transaction on the newest committed snapshot. */
    public ReadTxn beginRead() {
        checkOpen();
        Meta meta = current;
        int slot = claimReaderSlot(meta.txid());
        // Re-check after publishing: a commit that landed in between may already have freed our snapshot's pages.
        for (Meta now = current; now != meta; now = current) {
            meta = now;
            readers.set(slot, meta.txid());
        }
        return new ReadTxn(this, meta, slot);
    }

    /** A read transaction on the snapshot of an open {@link TreeImage}, whose reader slot already pins its pages. */
    ReadTxn beginRead(Meta pinned) {
        checkOpen();
        return new ReadTxn(this, pinned, claimReaderSlot(pinned.txid()));
    }

    private int claimReaderSlot(long txid) {
        int slot = readers.claim(txid, (int) Thread.currentThread().threadId());
        if (slot < 0) {
            throw new IllegalStateException(path + ": all " + readers.capacity() + " reader slots are in use (maxReaders)");
        }
        return slot;
    }

    /** Begins the write transaction, waiting for the current one to finish. */
    public WriteTxn beginWrite() {
        checkOpen();
        writerLock.lock();
        boolean ok = false;
        try {
            checkOpen();
            freelist.release(readers.oldest(), durableTxid);
            freelist.beginTxn();
            WriteTxn txn = reusableWriteTxn;
            boolean thisThreads = txn != null && reusableWriteTxnThread == Thread.currentThread();
            if (thisThreads && txn.closed) {
                txn.begin(current);
            } else {
                // Another thread's, or this thread's still open (the writer lock is reentrant: a
                // sync's freelist commit under an open, still empty transaction): one of its own.
                txn = new WriteTxn(this, current, treeWriter);
                if (!thisThreads) {
                    reusableWriteTxn = txn;
                    reusableWriteTxnThread = Thread.currentThread();
                }
            }
            ok = true;
            return txn;
        } finally {
            if (!ok) {
                writerLock.unlock();
            }
        }
    }

    void endWrite() {
        writerLock.unlock();
    }

    /** Called by the committing write transaction after its pages are written. */
    void publish(Meta meta, boolean withFreelist) throws IOException {
        if (options.syncOnCommit()) {
            fdatasync();
            writeMeta(meta);
        }
        current = meta;
        if (withFreelist) {
            freelistTxid = meta.txid();
        }
        noteInUse();
    }

    /**
     * Makes every transaction committed before the call durable: write the freelist if unsynced
     * commits skipped it, fdatasync pages, write the newest meta, fdatasync. Only the first step
     * holds the writer lock: the two fdatasyncs (most of the time) run while later transactions
     * commit. That is safe because a commit reuses only pages freed at or before {@link #durableTxid},
     * which moves only after the new meta is durable, or pages written after the meta this sync
     * picks (young, see {@link Freelist}), so nothing the syncing meta's tree references is
     * overwritten meanwhile. Syncing commits make their own metas durable (under the writer lock),
     * so with them this finds nothing newer to write.
     */
    public void sync() throws IOException {
        checkOpen();
        syncLock.lock();
        try {
            checkOpen();
            checkSyncable();
            Meta meta;
            writerLock.lock();
            try {
                writeFreelistIfStale();
                meta = current;
                freelist.protectCommitted(); // the fdatasyncs below run with later commits: see Freelist
            } finally {
                writerLock.unlock();
            }
            // "<": with syncing commits, a later commit may already have made a newer meta durable.
            if (meta.txid() <= durableTxid) {
                return;
            }
            fdatasync();
            writeMeta(meta);
        } finally {
            syncLock.unlock();
        }
    }

    /** A meta about to be made durable or copied must name a freelist that matches its tree. Holds the writer lock. */
    private void writeFreelistIfStale() throws IOException {
        assert writerLock.isHeldByCurrentThread();
        if (current.txid() == freelistTxid) {
            return;
        }
        beginWrite().commit(true);
    }

    /** A read transaction whose meta names a current freelist (for check and backup, which read it). */
    private ReadTxn beginReadWithFreelist() throws IOException {
        writerLock.lock();
        try {
            writeFreelistIfStale();
            return beginRead();
        } finally {
            writerLock.unlock();
        }
    }

    /** The meta goes to the slot not holding the durable one, so a torn write leaves the durable one intact. */
    private void writeMeta(Meta meta) throws IOException {
        int slot = 1 - durableSlot;
        meta.encode(metaBuffer, slot);
        posix.pwriteFully(file, metaBuffer, (long) slot * Page.SIZE_BYTES);
        fdatasync();
        durableSlot = slot;
        durableTxid = meta.txid();
    }

    /**
     * fdatasync of the file, refused for good once one has failed (see {@link #syncFailure}). Every
     * sync of the file goes through here, so no later one can vouch for pages an earlier one lost.
     */
    private void fdatasync() throws IOException {
        checkSyncable();
        try {
            posix.fdatasync(file);
        } catch (IOException e) {
            syncFailure = e;
            throw unsyncable(e);
        }
    }

    /** Throws if an fdatasync has failed: nothing this environment writes can be made durable any more. */
    void checkSyncable() throws IOException {
        IOException failure = syncFailure;
        if (failure != null) {
            throw unsyncable(failure);
        }
    }

    private IOException unsyncable(IOException failure) {
        String remedy = failure instanceof PosixException p && !p.whatToDo().isEmpty() ? p.whatToDo() + "; then " : "";
        return new IOException(path + ": an fdatasync failed (" + failure.getMessage() + "). The kernel may have"
                + " dropped the pages it could not write, so nothing written since the last durable transaction (txid "
                + durableTxid + ") can be made durable by this environment: " + remedy + "close it and reopen the file,"
                + " which reopens at txid " + durableTxid + " or later", failure);
    }

    void ensureFileSize(long neededBytes) throws IOException {
        if (neededBytes <= fileSizeBytes) {
            return;
        }
        long step = Math.clamp(fileSizeBytes / GROWTH_FRACTION, GROWTH_MIN_BYTES, GROWTH_MAX_BYTES);
        long newSize = Math.min(options.mapSizeBytes(), (neededBytes + step - 1) / step * step);
        try {
            posix.allocate(file, fileSizeBytes, newSize - fileSizeBytes);
        } catch (IOException e) {
            // A failed fallocate may still have grown the file part-way: keep the size we know true.
            try {
                fileSizeBytes = posix.sizeBytes(file);
            } catch (IOException sizeUnknown) {
                e.addSuppressed(sizeUnknown);
            }
            throw e;
        }
        fileSizeBytes = newSize;
    }

    /**
     * Writes the dirty pages in page order, one page per pwritev, never a run of adjacent pages in
     * one call as LMDB does. On ext4 (Linux 6.x) a write of several pages that the page cache does
     * not hold yet is cached in one large folio (up to the write's length), and every later write of
     * a single page into such a folio walks the buffer heads of the whole folio
     * ({@code ext4_block_write_begin}): under a write load the tree file ended up almost all in
     * folios of 16 pages on average, and that walk took 15-18% of the thread that commits
     * (btree-mmap/README.md, "One page per write"). Written a page at a time, the file's cache stays
     * in single pages. A multi-page buffer (an overflow run, the freelist) goes a page at a time too,
     * for the same reason. The writes stay one page each but go to the kernel in batches
     * ({@link Posix#pwriteBatch}: one io_submit for up to {@value #PAGE_WRITES_PER_BATCH}): with a
     * system call per page, entering and leaving the kernel took about 9% of the Raft loop's thread
     * (btree-mmap/README.md, "A commit's pages in one system call").
     */
    void writePages(long[] sortedPgnos, int count, Long2ObjectHashMap<MemorySegment> dirty) throws IOException {
        for (int i = 0; i < count; i++) {
            MemorySegment buffer = dirty.get(sortedPgnos[i]);
            long fileOffset = sortedPgnos[i] << Page.SHIFT;
            for (long at = 0; at < buffer.byteSize(); at += Page.SIZE_BYTES) {
                pageWrites.add(buffer, at, Page.SIZE_BYTES, fileOffset + at);
                if (pageWrites.isFull()) {
                    posix.pwriteBatch(file, pageWrites); // empties it, also when it fails
                }
            }
        }
        if (pageWrites.size() > 0) {
            posix.pwriteBatch(file, pageWrites);
        }
    }

    long[] dirtyPgnoScratch(int size) {
        if (dirtyPgnos.length < size) {
            dirtyPgnos = new long[Math.max(size, 2 * dirtyPgnos.length)];
        }
        return dirtyPgnos;
    }

    boolean isFreelistBuffer(MemorySegment buffer) {
        return buffer.address() == freelistBuffer.address();
    }

    /** A buffer for the freelist run, reused across commits (grows with the list, bounded by the map). */
    MemorySegment freelistBuffer(int pages) {
        long bytes = (long) pages * Page.SIZE_BYTES;
        if (freelistBuffer.byteSize() < bytes) {
            freelistBuffer = Arena.ofAuto().allocate(Math.max(bytes, 2 * freelistBuffer.byteSize()), Page.SIZE_BYTES);
        }
        return freelistBuffer.asSlice(0, bytes);
    }

    MemorySegment takePageBuffer() {
        MemorySegment buffer = pagePool.pollFirst();
        return buffer != null ? buffer : Arena.ofAuto().allocate(Page.SIZE_BYTES, Page.SIZE_BYTES);
    }

    void returnPageBuffer(MemorySegment buffer) {
        if (pagePool.size() < PAGE_POOL_MAX_BUFFERS) {
            pagePool.addFirst(buffer);
        }
    }

    MemorySegment allocateRunBuffer(int pages) {
        return Arena.ofAuto().allocate((long) pages * Page.SIZE_BYTES, Page.SIZE_BYTES);
    }

    // ---- maintenance

    /** Full structural check of the newest snapshot; throws {@link CorruptionException} naming the fault. */
    public Checker.Report check() {
        try (ReadTxn txn = beginReadWithFreelist()) {
            return new Checker(txn).run();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the freelist of " + path + " before checking it", e);
        }
    }

    /**
     * Copies the live data of the newest snapshot into a fresh file at {@code target} (which must not
     * exist), with pages filled sequentially (an offline defragmented copy).
     */
    public void compact(Path target) throws IOException {
        if (Files.exists(target)) {
            throw new IOException("compact target " + target + " already exists");
        }
        try (ReadTxn source = beginRead();
             Env destination = open(target, options.withSyncOnCommit(false), posix);
             BatchedWriter to = new BatchedWriter(destination)) {
            to.copyAll(source);
            to.commit();
            destination.sync();
        }
    }

    /**
     * Rewrites the file compactly and swaps it in, while reads and writes go on (bbolt's defrag blocks
     * both for the whole copy). A copy of a snapshot is written to a scratch file beside this one
     * ({@code <name>.defrag}); rounds of catch-up bring over what later commits changed, found by
     * comparing the two snapshots' trees (a copy-on-write tree shares every page a commit did not
     * touch, so only changed leaves are read); then, holding the writer lock for the last small round
     * only, the copy is synced, renamed over the file, and becomes the file this environment writes.
     * Read transactions and images begun before the swap go on reading the replaced file, which stays
     * mapped until the last of them ends.
     *
     * <p>A crash leaves either file whole under the name (the copy is durable before the rename, and
     * the rename is made durable before any commit lands in the copy); a leftover scratch file is
     * deleted when the file is next opened.
     *
     * @throws IOException on a disk error (the file is untouched and the scratch file deleted), or if a
     *         previous defragmentation's file is still being read
     */
    public Defragmentation defragment() throws IOException {
        fileSwap.lock();
        try {
            return defragmentHoldingFileSwap();
        } finally {
            fileSwap.unlock();
        }
    }

    private Defragmentation defragmentHoldingFileSwap() throws IOException {
        checkOpen();
        checkSyncable();
        releaseRetiredIfUnread();
        if (retired.get() != null) {
            throw new IOException(path + ": the file the last defragmentation replaced is still read (a long snapshot"
                    + " transfer?); defragment again once that read ends");
        }
        long startNanos = System.nanoTime();
        long sizeBeforeBytes = fileSizeBytes;
        Path scratch = defragScratch(path);
        long blockedNanos;
        int rounds;
        try (Defragmenter copy = new Defragmenter(this, open(scratch, options.withSyncOnCommit(false), posix))) {
            copy.copyAndCatchUp();
            syncLock.lock();
            writerLock.lock();
            long blockedSince = System.nanoTime();
            try {
                checkOpen();
                copy.finish(current.txid());
                swapIn(scratch);
            } finally {
                writerLock.unlock();
                syncLock.unlock();
            }
            blockedNanos = System.nanoTime() - blockedSince;
            rounds = copy.rounds();
            releaseRetiredIfUnread(); // outside the locks: closing the replaced file frees its blocks, which takes a while
        } finally {
            if (Files.exists(scratch)) {
                posix.unlink(scratch);
            }
        }
        return new Defragmentation(sizeBeforeBytes, fileSizeBytes, rounds, System.nanoTime() - startNanos, blockedNanos);
    }

    /**
     * Makes the tree file at {@code replacement} this environment's file, without copying it: a
     * {@link #backup} image, say a leader's snapshot a follower received (copying one into the tree
     * key by key took seconds per gigabyte, issue #21). {@code finishing} first writes into the
     * replacement, in one commit, what it must carry over from this file (a member's identity, say);
     * then the replacement's txids are moved past this file's, it is synced, renamed over this file and
     * swapped in as {@link #defragment} swaps in its copy: read transactions and images begun before go
     * on reading the replaced file, which stays mapped until the last of them ends. Commits wait
     * meanwhile, for one small commit and a sync, not a copy.
     *
     * <p>The replacement must be in this file's directory, since it is renamed, not copied; once this
     * returns it is gone. A crash before the rename leaves this file in place and the replacement whole
     * with {@code finishing}'s commit in it: doing it all again is safe if {@code finishing} writes the
     * same values again. After the rename, the name holds the replacement.
     *
     * @return false, having changed nothing (the replacement included), if the file cannot be swapped
     *         now: a defragmentation is running, or the file an earlier one or an earlier replacement
     *         replaced is still being read. Copy the contents instead, or try again later.
     * @throws IOException if the replacement cannot be opened, written, synced or renamed (this
     *         environment stays on its own file)
     */
    public boolean replaceWith(Path replacement, Consumer<WriteTxn> finishing) throws IOException {
        checkOpen();
        checkSyncable();
        if (!replacement.toAbsolutePath().getParent().equals(path.toAbsolutePath().getParent())) {
            throw new IllegalArgumentException("the replacement " + replacement + " is not beside " + path
                    + ": it is renamed over the file, so it must be in the same directory");
        }
        if (!fileSwap.tryLock()) {
            return false;
        }
        try {
            releaseRetiredIfUnread();
            if (retired.get() != null) {
                return false;
            }
            replaceHoldingFileSwap(replacement, finishing);
        } finally {
            fileSwap.unlock();
        }
        releaseRetiredIfUnread(); // outside the locks, as defragment does
        return true;
    }

    private void replaceHoldingFileSwap(Path replacement, Consumer<WriteTxn> finishing) throws IOException {
        syncLock.lock();
        writerLock.lock();
        try {
            checkOpen();
            try (Env incoming = open(replacement, options.withSyncOnCommit(false), posix)) {
                WriteTxn txn = incoming.beginWrite();
                try {
                    finishing.accept(txn);
                    txn.commit();
                } finally {
                    txn.abort();
                }
                incoming.continueTxidsAfter(current.txid());
                incoming.sync();
            }
            swapIn(replacement);
        } finally {
            writerLock.unlock();
            syncLock.unlock();
        }
    }

    /** Where {@link #defragment} writes its copy: beside the file, named after it. */
    private static Path defragScratch(Path path) {
        return path.resolveSibling(path.getFileName() + ".defrag");
    }

    /** What {@link #defragment} did: file sizes, catch-up rounds, and how long writers were held back. */
    public record Defragmentation(long sizeBeforeBytes, long sizeAfterBytes, int catchUpRounds, long tookNanos,
                                  long writersBlockedNanos) {
    }

    /**
     * Makes the synced copy at {@code scratch} (a defragmentation's, or a {@link #replaceWith} replacement)
     * this environment's file. Holds both locks. The copy is
     * opened before the rename, so a failure before it leaves this environment on its own file; after
     * the rename the name holds the copy, so this environment moves to it whatever happens next.
     */
    private void swapIn(Path scratch) throws IOException {
        assert writerLock.isHeldByCurrentThread() && syncLock.isHeldByCurrentThread();
        Opened fresh = openFile(scratch, options, posix);
        try {
            posix.rename(scratch, path);
        } catch (IOException e) {
            posix.unmap(fresh.file(), fresh.map());
            posix.close(fresh.file());
            throw e;
        }
        if (fresh.meta().txid() <= current.txid()) {
            throw new IllegalStateException("the new file's txid " + fresh.meta().txid()
                    + " does not follow the file's " + current.txid());
        }
        IOException directoryUnsynced = null;
        try {
            posix.fsyncDirectory(path.toAbsolutePath().getParent());
        } catch (IOException e) {
            // The rename may not survive a power cut: nothing may count as durable from now on.
            directoryUnsynced = e;
            syncFailure = e;
        }
        // Retired before the map, the map before the meta: see mapFor.
        retired.set(new Retired(file, map, current.txid()));
        file = fresh.file();
        map = fresh.map();
        freelist.replace(Freelist.readIds(fresh.map(), fresh.meta().freelistPgno()));
        durableTxid = fresh.meta().txid();
        freelistTxid = fresh.meta().txid();
        durableSlot = fresh.metaSlot();
        fileSizeBytes = fresh.sizeBytes();
        current = fresh.meta();
        noteInUse();
        if (directoryUnsynced != null) {
            throw unsyncable(directoryUnsynced);
        }
    }

    /**
     * Unmaps and closes the file a defragmentation replaced once no reader of it is left: called after
     * the swap and by each reader that ends (so the last reader of the old file releases it), never
     * under the writer lock, since closing the last descriptor of the replaced (unlinked) file frees
     * its blocks, which takes a second or more for gigabytes. Whoever takes it first releases it. A
     * failure only leaks the old mapping (nothing reads it), so it is logged, not thrown.
     */
    void releaseRetiredIfUnread() {
        Retired old = retired.get();
        if (old == null || readers.oldest() <= old.lastTxid() || !retired.compareAndSet(old, null)) {
            return;
        }
        try {
            unmapUnderLifetimeLock(old.file(), old.map());
            posix.close(old.file());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: cannot release the file a defragmentation replaced: {1}", path,
                    e.getMessage());
        }
    }

    /**
     * For a defragmentation's copy: the next commit's txid follows {@code txid} (the replaced file's
     * newest), so every snapshot of the copy is newer than every snapshot of the file it replaces.
     */
    void continueTxidsAfter(long txid) throws IOException {
        writerLock.lock();
        try {
            Meta meta = current;
            if (meta.txid() < txid) {
                current = new Meta(txid, meta.rootPgno(), meta.freelistPgno(), meta.highWaterPages());
            }
            beginWrite().commit(true); // one commit past it, with its freelist: what the next sync makes durable
        } finally {
            writerLock.unlock();
        }
    }

    public void backup(OutputStream out) throws IOException {
        backup(Channels.newChannel(out));
    }

    /**
     * Streams a consistent copy of the newest snapshot while writes go on: the bytes of an
     * {@link #openImage() image} of it, in order.
     */
    public void backup(WritableByteChannel out) throws IOException {
        try (TreeImage image = openImage()) {
            ByteBuffer buffer = ByteBuffer.allocateDirect((int) Math.min(BACKUP_CHUNK_BYTES, image.sizeBytes()));
            for (long offset = 0; offset < image.sizeBytes(); ) {
                buffer.clear();
                offset += image.read(offset, buffer);
                buffer.flip();
                writeFully(out, buffer);
            }
        }
    }

    /**
     * A consistent image of the newest committed snapshot as a file, readable at any offset while
     * writes go on (a hot backup, or a snapshot streamed to a peer): the snapshot's meta in both
     * slots, then its pages straight from the map up to its high-water mark. Unsynced commits'
     * freelist is written first (as for {@link #check}), so the image's meta names a freelist that
     * matches its tree. The image holds a reader slot until closed, which keeps every page it
     * references from being reused; close it before the environment.
     */
    public TreeImage openImage() throws IOException {
        checkOpen();
        writerLock.lock();
        try {
            checkOpen();
            writeFreelistIfStale();
            // Under the writer lock no commit can publish a newer meta or free this one's pages.
            Meta meta = current;
            return new TreeImage(this, meta, claimReaderSlot(meta.txid()));
        } finally {
            writerLock.unlock();
        }
    }

    private static void writeFully(WritableByteChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    /** Closes the file. Every transaction must have ended: closing under a live reader would unmap its pages. */
    @Override
    public void close() throws IOException {
        syncLock.lock(); // a sync in its fdatasyncs uses the file without the writer lock
        writerLock.lock();
        try {
            if (closed) {
                return;
            }
            int active = readers.active();
            if (active > 0) {
                throw new IllegalStateException(path + ": " + active + " read transactions still open; end them before close");
            }
            closed = true;
            releaseRetiredIfUnread();
            unmapUnderLifetimeLock(file, map);
            pageWrites.close();
            posix.close(file);
        } finally {
            writerLock.unlock();
            syncLock.unlock();
        }
    }

    /** Unmaps a map that was this environment's, never while {@link #unmapPages} advises on it. */
    private void unmapUnderLifetimeLock(OpenFile mapped, MemorySegment mapping) throws IOException {
        mapLifetimeLock.lock();
        try {
            posix.unmap(mapped, mapping);
        } finally {
            mapLifetimeLock.unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(path + " is closed");
        }
    }

    // ---- accessors for the package

    public Path path() {
        return path;
    }

    public EnvOptions options() {
        return options;
    }

    /** The newest commit's high-water mark: the bytes of pages the file has ever used. */
    long highWaterBytes() {
        return current.highWaterPages() << Page.SHIFT;
    }

    /** The newest committed txid. */
    public long lastTxid() {
        return current.txid();
    }

    /** The newest txid that {@link #sync()} (or a syncing commit) made durable. */
    public long durableTxid() {
        return durableTxid;
    }

    /**
     * The file's size, without the writer lock (a quota check on a request thread must not wait behind
     * a commit); it may be one growth behind a commit running at the same time.
     */
    public long fileSizeBytes() {
        return fileSizeBytes;
    }

    /**
     * The bytes the newest tree uses: the high-water mark less every page it does not use (free,
     * or freed and waiting for readers or a sync). etcd's "size in use" (its db size less its free
     * pages): how much a defragmentation could give back is {@link #fileSizeBytes} less this.
     * Without the writer lock, like the file's size; it may be one commit behind.
     */
    public long sizeInUseBytes() {
        return inUsePages << Page.SHIFT;
    }

    /**
     * Unmaps every page of the file from this process (MADV_DONTNEED over the map), so that the
     * process's resident set holds only the tree pages read since. Why: a page read through the map
     * stays mapped, and counted in the resident set, until the kernel reclaims it, and each read
     * fault also maps the cached pages around it (the kernel's fault-around, 64 KiB): under any
     * write load the whole file ended up mapped (126 MB for a 136 MB tree after 300,000 puts of keys
     * in order, 224 MB of 237 after 200,000 updates), freed pages included. Nothing is lost: the data
     * stays in the page cache, and the next read of a page maps it again (a minor fault).
     *
     * <p>Takes neither the writer lock nor a reader slot: readers and commits go on, and a page read
     * meanwhile is simply mapped again. What must not happen is a map unmapped under the call (a
     * closing environment's, or a current map retired by a defragmentation and released), since its
     * addresses may then belong to another mapping: {@link #mapLifetimeLock} keeps them apart. In
     * chunks of {@link #UNMAP_CHUNK_BYTES}, so that no one madvise holds the process's page tables
     * for long.
     */
    public void unmapPages() throws IOException {
        mapLifetimeLock.lock();
        try {
            if (closed) {
                return;
            }
            MemorySegment current = map; // read under the lock: a map it returns is unmapped only under it
            long endBytes = Math.min(fileSizeBytes, current.byteSize());
            for (long offsetBytes = 0; offsetBytes < endBytes; offsetBytes += UNMAP_CHUNK_BYTES) {
                posix.adviseDontNeed(file, current.asSlice(offsetBytes, Math.min(UNMAP_CHUNK_BYTES, endBytes - offsetBytes)));
            }
        } finally {
            mapLifetimeLock.unlock();
        }
    }

    /**
     * Asks the kernel to read {@code lengthBytes} of {@code mapping} (one of this file's maps) from
     * {@code offsetBytes} (page-aligned) into the page cache without waiting. The map has no
     * readahead of its own (MADV_RANDOM). Only a hint: a refusal changes nothing but speed.
     */
    void readAhead(MemorySegment mapping, long offsetBytes, long lengthBytes) {
        try {
            posix.adviseWillNeed(file, mapping.asSlice(offsetBytes, lengthBytes));
        } catch (IOException ignored) {
            // The reads that follow fault the pages in one at a time, as they did without the hint.
        }
    }

    /**
     * The map holding {@code meta}'s pages: the file's, or the replaced file's for a snapshot taken
     * before a {@link #defragment} swap. Called once the caller's reader slot holds {@code meta} (or
     * under the writer lock), so a retired map cannot be unmapped under it. Reads {@link #map} before
     * {@link #retired}: the swap writes them in the other order, so an old meta always finds its map.
     */
    MemorySegment mapFor(Meta meta) {
        MemorySegment now = map;
        Retired old = retired.get();
        return old != null && meta.txid() <= old.lastTxid() ? old.map() : now;
    }

    ReaderTable readerTable() {
        return readers;
    }

    Freelist freelist() {
        return freelist;
    }
}
