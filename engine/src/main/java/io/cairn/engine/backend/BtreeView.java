package io.cairn.engine.backend;

import io.cairn.btree.Cursor;
import io.cairn.btree.Txn;
import io.cairn.btree.WriteTxn;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import java.util.List;

/**
 * The engine's backend interface over one btree-mmap transaction. Values are copied out of the
 * map, so they outlive the transaction (the MVCC layer keeps results after it ends).
 */
public final class BtreeView implements BackendWriter {
    /** Each bucket's name in the tree, made once (a name per bucket lookup showed up on the put path). */
    private static final String[] NAMES = new String[Bucket.values().length];

    static {
        for (final Bucket bucket : Bucket.values()) {
            NAMES[bucket.ordinal()] = bucket.name().toLowerCase(Locale.ROOT);
        }
    }

    private Txn txn;
    /** The buckets opened so far, by Bucket ordinal (memory only: the tree knows buckets by name). */
    private final io.cairn.btree.Bucket[] buckets = new io.cairn.btree.Bucket[NAMES.length];
    private long writes;
    /**
     * {@link #lookupCursor}'s cursors by Bucket ordinal, and the handle each walks. They outlive
     * {@link #over}: a write transaction's handles are the earlier ones' (btree-mmap reuses them),
     * and a cursor follows its handle into the next transaction.
     */
    private final BackendCursor[] lookupCursors = new BackendCursor[NAMES.length];
    private final io.cairn.btree.Bucket[] lookupHandles = new io.cairn.btree.Bucket[NAMES.length];

    public BtreeView(final Txn txn) {
        this.txn = txn;
    }

    /**
     * This view, now over {@code next} (its buckets and write count start afresh): for an owner
     * that opens one view per write transaction, one at a time, and keeps none of its cursors or
     * values past the transaction (the applier, a write transaction per batch: issue #21).
     */
    public BtreeView over(final Txn next) {
        this.txn = next;
        java.util.Arrays.fill(buckets, null);
        writes = 0;
        return this;
    }

    static String name(final Bucket bucket) {
        return NAMES[bucket.ordinal()];
    }

    /** The bucket, or null when a read transaction finds it not created yet (a new file). */
    private io.cairn.btree.Bucket bucket(final Bucket bucket) {
        io.cairn.btree.Bucket handle = buckets[bucket.ordinal()];
        if (handle == null) {
            handle = txn instanceof WriteTxn write ? write.createBucketIfAbsent(name(bucket)) : txn.bucket(name(bucket));
            buckets[bucket.ordinal()] = handle;
        }
        return handle;
    }

    @Override
    public byte[] get(final Bucket bucket, final byte[] key) {
        final io.cairn.btree.Bucket handle = bucket(bucket);
        final MemorySegment value = handle == null ? null : handle.get(key);
        return value == null ? null : value.toArray(ValueLayout.JAVA_BYTE);
    }

    @Override
    public void put(final Bucket bucket, final byte[] key, final byte[] value) {
        writes++;
        bucket(bucket).put(key, value);
    }

    /** The page takes its copy at once, so {@code value} may be reused after the call. */
    @Override
    public void put(final Bucket bucket, final byte[] key, final byte[] value, final int valueLength) {
        writes++;
        bucket(bucket).put(key, value, valueLength);
    }

    @Override
    public void delete(final Bucket bucket, final byte[] key) {
        writes++;
        bucket(bucket).delete(key);
    }

    /** Puts and deletes asked of this view so far (counted before each is tried). */
    public long writes() {
        return writes;
    }

    @Override
    public BackendCursor cursor(final Bucket bucket) {
        final io.cairn.btree.Bucket handle = bucket(bucket);
        return handle == null ? EMPTY : wrap(handle.cursor());
    }

    @Override
    public BackendCursor lookupCursor(final Bucket bucket) {
        final io.cairn.btree.Bucket handle = bucket(bucket);
        if (handle == null) {
            return EMPTY;
        }
        final int at = bucket.ordinal();
        if (lookupHandles[at] != handle) {
            lookupCursors[at] = wrap(handle.cursor());
            lookupHandles[at] = handle;
        }
        return lookupCursors[at];
    }

    private static BackendCursor wrap(final Cursor cursor) {
        return new BackendCursor() {
            @Override
            public boolean seek(final byte[] key) {
                return cursor.seek(key);
            }

            @Override
            public boolean next() {
                return cursor.next();
            }

            @Override
            public byte[] key() {
                return cursor.keyBytes();
            }

            @Override
            public byte[] value() {
                return cursor.value().toArray(ValueLayout.JAVA_BYTE);
            }

            @Override
            public int keyLength() {
                return cursor.keyLength();
            }

            @Override
            public boolean keyStartsWith(final byte[] prefix, final int length) {
                return cursor.keyStartsWith(prefix, length);
            }

            @Override
            public int valueLength() {
                return cursor.valueLength();
            }

            @Override
            public void copyValue(final int offset, final byte[] dst, final int dstOffset, final int length) {
                cursor.copyValue(offset, dst, dstOffset, length);
            }
        };
    }

    private static final BackendCursor EMPTY = new BackendCursor() {
        @Override
        public boolean seek(final byte[] key) {
            return false;
        }

        @Override
        public boolean next() {
            return false;
        }

        @Override
        public byte[] key() {
            throw new IllegalStateException("empty bucket has no current entry");
        }

        @Override
        public byte[] value() {
            throw new IllegalStateException("empty bucket has no current entry");
        }
    };
}
