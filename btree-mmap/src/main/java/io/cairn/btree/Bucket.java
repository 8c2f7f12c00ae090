package io.cairn.btree;

import java.lang.foreign.MemorySegment;

/**
 * A named sub-tree, as seen by one transaction. Reads work in any transaction; writes only in the
 * write transaction that handed out the bucket. Keys are 0..1024 bytes in unsigned byte order.
 *
 * <p>A write transaction's handles are reused by the next write transaction (the same object, bound
 * to it afresh when it opens the bucket): between two write transactions a handle throws like any
 * other of an ended transaction, but one kept into the next acts on the next. Made per transaction
 * they were about 160 bytes per put (issue #21).
 */
public final class Bucket {
    Txn txn;
    /** The write transaction's {@link WriteTxn#generation} this handle was bound in (0 for a read transaction's). */
    long boundGeneration;
    final String name;
    long rootPgno;
    long count;
    /** Root or count changed in this write transaction: the directory record is rewritten at commit. */
    boolean dirty;
    boolean deleted;

    Bucket(Txn txn, String name, long rootPgno, long count) {
        this.name = name;
        bind(txn, rootPgno, count);
    }

    /** This handle, now {@code txn}'s view of the bucket (see the class comment). */
    Bucket bind(Txn txn, long rootPgno, long count) {
        this.txn = txn;
        this.boundGeneration = txn instanceof WriteTxn write ? write.generation() : 0;
        this.rootPgno = rootPgno;
        this.count = count;
        this.dirty = false;
        this.deleted = false;
        return this;
    }

    public String name() {
        return name;
    }

    /** Number of keys in the bucket (kept in its directory record: O(1)). */
    public long count() {
        checkUsable();
        return count;
    }

    public MemorySegment get(byte[] key) {
        checkUsable();
        checkKeyLength(key.length);
        return get(txn.searchKey(key), key.length);
    }

    /** The value stored under {@code key}, valid until the transaction ends (or, in a write transaction, the next write); null if absent. */
    public MemorySegment get(MemorySegment key) {
        checkUsable();
        checkKey(key);
        return get(key, (int) key.byteSize());
    }

    private MemorySegment get(MemorySegment key, int keyLength) {
        long pgno = rootPgno;
        for (int depth = 0; depth < Txn.MAX_DEPTH; depth++) {
            MemorySegment segment = txn.pageSegment(pgno);
            long base = txn.pageBase(segment, pgno);
            if (Node.isLeaf(segment, base)) {
                int i = Node.searchLeaf(segment, base, key, 0, keyLength);
                return i < 0 ? null : txn.value(segment, Node.entry(segment, base, i));
            }
            pgno = Node.child(segment, Node.entry(segment, base, Node.searchBranch(segment, base, key, 0, keyLength)));
        }
        throw new IllegalStateException("bucket " + name + " is deeper than " + Txn.MAX_DEPTH + " levels in " + txn.env.path());
    }

    /** As {@link #put(MemorySegment, MemorySegment)}, without wrapping the arrays in segments. */
    public boolean put(byte[] key, byte[] value) {
        return put(key, value, value.length);
    }

    /** Stores the first {@code valueLength} bytes of {@code value} (copied at once: the array may be reused). */
    public boolean put(byte[] key, byte[] value, int valueLength) {
        checkUsable();
        checkKeyLength(key.length);
        if (valueLength < 0 || valueLength > value.length) {
            throw new IndexOutOfBoundsException("value length " + valueLength + " of an array of " + value.length);
        }
        return writeTxn().writer().put(this, key, value, valueLength);
    }

    /** Stores {@code value} under {@code key}; returns true if the key was new. */
    public boolean put(MemorySegment key, MemorySegment value) {
        checkUsable();
        checkKey(key);
        return writeTxn().writer().put(this, key, value);
    }

    public boolean delete(byte[] key) {
        checkUsable();
        checkKeyLength(key.length);
        return writeTxn().writer().delete(this, key);
    }

    /** Removes {@code key}; returns true if it was present. */
    public boolean delete(MemorySegment key) {
        checkUsable();
        checkKey(key);
        return writeTxn().writer().delete(this, key);
    }

    public Cursor cursor() {
        checkUsable();
        return new Cursor(txn, this);
    }

    /** Keys in [{@code fromInclusive}, {@code toExclusive}); a null bound is open. One cursor walk. */
    public long countRange(MemorySegment fromInclusive, MemorySegment toExclusive) {
        Cursor c = cursor();
        long n = 0;
        for (boolean ok = fromInclusive == null ? c.first() : c.seek(fromInclusive); ok; ok = c.next()) {
            if (toExclusive != null && c.compareKeyTo(toExclusive) >= 0) {
                break;
            }
            n++;
        }
        return n;
    }

    private WriteTxn writeTxn() {
        if (!(txn instanceof WriteTxn w)) {
            throw new IllegalStateException("bucket " + name + " was opened in a read transaction: it cannot be written");
        }
        return w;
    }

    private void checkUsable() {
        txn.checkOpen();
        if (deleted) {
            throw new IllegalStateException("bucket " + name + " was deleted in this transaction");
        }
    }

    static void checkKey(MemorySegment key) {
        checkKeyLength(key.byteSize());
    }

    static void checkKeyLength(long keyBytes) {
        if (keyBytes > Keys.MAX_KEY_BYTES) {
            throw new IllegalArgumentException("key of " + keyBytes + " bytes exceeds the limit of " + Keys.MAX_KEY_BYTES);
        }
    }
}
