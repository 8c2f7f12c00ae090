package io.cairn.btree;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A view of one snapshot. Every segment handed out (values, keys) is sliced from {@link #view}:
 * the whole map re-scoped to this transaction's confined arena, so it dies with the transaction
 * and using one afterwards throws instead of reading reused pages. The arena and the view are made
 * when the first segment is handed out: a transaction that only copies out (the put path's lookup,
 * {@link Cursor#copyValue}) makes neither (they were about 130 bytes per put, issue #21). A
 * transaction and the segments it returns belong to the thread that began it.
 */
public abstract sealed class Txn implements AutoCloseable permits ReadTxn, WriteTxn {
    static final int MAX_DEPTH = 64;
    /** Directory record of a bucket: u64 root pgno, u64 entry count. */
    static final int BUCKET_RECORD_BYTES = 16;

    final Env env;
    /** The snapshot read; a write transaction's is set at each begin (the writer reuses one object). */
    Meta meta;
    /** Made with {@link #view} at the first segment handed out; null until then. */
    private Arena arena;
    private MemorySegment view;
    /**
     * The unscoped map, for walking pages inside API calls that have already checked the
     * transaction is open (saves a scope check per page read on the hot path). Anything handed
     * to the caller is sliced from {@link #view} instead.
     */
    MemorySegment pages;
    boolean closed;

    Txn(Env env, Meta meta) {
        this.env = env;
        this.meta = meta;
        this.pages = env.mapFor(meta);
    }

    /** The write transaction's object begins again, on {@code newMeta}. */
    final void reopen(Meta newMeta) {
        assert arena == null && view == null : "the previous transaction's segments were not ended";
        this.meta = newMeta;
        this.pages = env.mapFor(newMeta);
        this.closed = false;
    }

    /** The map re-scoped to this transaction's arena, made at the first call. */
    @SuppressWarnings("restricted") // re-scopes our own mapping to this transaction
    final MemorySegment view() {
        if (view == null) {
            arena = Arena.ofConfined();
            view = pages.reinterpret(arena, null);
        }
        return view;
    }

    /** Ends the segments handed out, if any were. */
    final void closeArena() {
        if (arena != null) {
            arena.close();
            arena = null;
            view = null;
        }
    }

    /** The snapshot's txid. */
    public long txid() {
        return meta.txid();
    }

    /** The segment holding page {@code pgno}: the map, or a dirty buffer in a write transaction. */
    MemorySegment pageSegment(long pgno) {
        return pages;
    }

    /** Byte offset of page {@code pgno} inside {@code segment} as returned by {@link #pageSegment}. */
    final long pageBase(MemorySegment segment, long pgno) {
        return segment == pages || segment == view ? pgno << Page.SHIFT : 0;
    }

    final void checkOpen() {
        if (closed) {
            throw new IllegalStateException("transaction " + meta.txid() + " on " + env.path() + " has ended");
        }
    }

    /** A value as a segment valid for this transaction's life (zero-copy from the map). */
    final MemorySegment value(MemorySegment segment, long entry) {
        int length = Node.valueLength(segment, entry);
        if (Node.isOverflow(segment, entry)) {
            long run = Node.overflowPgno(segment, entry);
            MemorySegment runSegment = pageSegment(run);
            return scoped(runSegment, pageBase(runSegment, run) + Page.HEADER_BYTES, length);
        }
        return scoped(segment, Node.valueOffset(segment, entry), length);
    }

    /**
     * A leaf entry's whole key: zero-copy from the map, valid for this transaction's life, when its
     * leaf keeps no prefix; else put together in a native buffer of this transaction's, valid until
     * the next call (the key's bytes are in two places of the page; native, as {@link Cursor#key}
     * explains, because a tree diff puts these keys into another tree).
     */
    final MemorySegment key(MemorySegment segment, long base, long entry) {
        if (Page.prefixLength(segment, base) == 0) {
            return keyInPage(segment, entry);
        }
        if (wholeKey == null) {
            wholeKey = Node.newFullKeyBuffer();
        }
        return Node.fullKey(segment, base, entry, wholeKey);
    }

    /** The key of a leaf entry whose leaf keeps no prefix, zero-copy from the page, valid for this transaction's life. */
    final MemorySegment keyInPage(MemorySegment segment, long entry) {
        return scoped(segment, Node.keyOffset(entry, true), Node.keyLength(segment, entry, true));
    }

    /** Where {@link #key} puts together a key whose leaf keeps a prefix; made at the first such key. */
    private MemorySegment wholeKey;

    @SuppressWarnings("restricted") // re-scopes our own page buffer to this transaction
    private MemorySegment scoped(MemorySegment segment, long offset, long length) {
        MemorySegment scope = view();
        if (segment == pages || segment == scope) {
            return scope.asSlice(offset, length);
        }
        // Dirty buffers outlive the transaction (they are pooled): tie the slice to our arena.
        return segment.asSlice(offset, length).reinterpret(arena, null);
    }

    /**
     * {@code key} as a segment to search with, for one call: its first {@code key.length} bytes are
     * the key. A read transaction wraps the array; the write transaction copies it into the writer's
     * scratch instead (a segment and a session around every looked-up key were 70 bytes per put,
     * issue #21). The caller checked that the transaction is open and the key's length.
     */
    MemorySegment searchKey(byte[] key) {
        return MemorySegment.ofArray(key);
    }

    Bucket directory() {
        return new Bucket(this, "", meta.rootPgno(), -1);
    }

    /** The bucket named {@code name}, or null if it does not exist in this snapshot. */
    public Bucket bucket(String name) {
        checkOpen();
        return lookupBucket(name);
    }

    /**
     * Reads the bucket's directory record in place, from the page (a record is 16 bytes, always
     * inline): a value segment scoped to the transaction cost two segment objects per bucket opened,
     * and a write transaction opens a few per put (issue #21).
     */
    final Bucket lookupBucket(String name) {
        MemorySegment key = nameKey(name);
        int keyLength = (int) key.byteSize();
        long pgno = directoryRootPgno();
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            MemorySegment segment = pageSegment(pgno);
            long base = pageBase(segment, pgno);
            if (Node.isLeaf(segment, base)) {
                int i = Node.searchLeaf(segment, base, key, 0, keyLength);
                if (i < 0) {
                    return null;
                }
                long entry = Node.entry(segment, base, i);
                assert !Node.isOverflow(segment, entry) && Node.valueLength(segment, entry) == BUCKET_RECORD_BYTES
                        : "bucket record of " + name + " is not " + BUCKET_RECORD_BYTES + " inline bytes";
                long record = Node.valueOffset(segment, entry);
                return handle(name, segment.get(Page.U64, record), segment.get(Page.U64, record + 8));
            }
            pgno = Node.child(segment, Node.entry(segment, base, Node.searchBranch(segment, base, key, 0, keyLength)));
        }
        throw new IllegalStateException("the bucket directory is deeper than " + MAX_DEPTH + " levels in " + env.path());
    }

    /** A handle on bucket {@code name} for this transaction. */
    Bucket handle(String name, long rootPgno, long count) {
        return new Bucket(this, name, rootPgno, count);
    }

    /** The root page of the bucket directory as this transaction sees it. */
    long directoryRootPgno() {
        return meta.rootPgno();
    }

    /**
     * A bucket name's directory key, its UTF-8 bytes: made once per name and shared by every
     * transaction and thread (read-only), so opening a bucket allocates no key (issue #21).
     * Bounded: past {@link #NAME_KEYS_MAX} names (an application uses a handful) keys are made per call.
     */
    static MemorySegment nameKey(String name) {
        MemorySegment key = NAME_KEYS.get(name);
        if (key == null) {
            key = encodeName(name);
            if (NAME_KEYS.size() < NAME_KEYS_MAX) {
                NAME_KEYS.putIfAbsent(name, key);
            }
        }
        return key;
    }

    private static final int NAME_KEYS_MAX = 1_024;

    private static final java.util.concurrent.ConcurrentHashMap<String, MemorySegment> NAME_KEYS =
        new java.util.concurrent.ConcurrentHashMap<>();

    private static MemorySegment encodeName(String name) {
        return MemorySegment.ofArray(name.getBytes(StandardCharsets.UTF_8)).asReadOnly();
    }

    public List<String> bucketNames() {
        checkOpen();
        List<String> names = new ArrayList<>();
        Cursor c = directory().cursor();
        for (boolean ok = c.first(); ok; ok = c.next()) {
            names.add(new String(c.key().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
        }
        return names;
    }

    /** Modification counter: cursors of a write transaction check it (0 in read transactions). */
    long modCount() {
        return 0;
    }

    @Override
    public abstract void close();
}
