package io.cairn.btree;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Writes many keys into an environment in transactions of at most {@link #WRITES_PER_TXN} changes,
 * so a copy of a large file never holds more than that many dirty pages' worth in memory, and syncs
 * the target every {@link #SYNC_EVERY_BYTES} of new pages: written without syncs, a gigabyte copy
 * would reach the disk in one flush at its end, and every other fdatasync on that disk (a WAL's)
 * would wait seconds behind it. Used for the copies {@link Env#compact} and {@link Env#defragment}
 * write; single-threaded.
 */
final class BatchedWriter implements AutoCloseable {
    static final int WRITES_PER_TXN = 10_000;
    static final long SYNC_EVERY_BYTES = 32L << 20;

    private final Env target;
    /** The target's high-water mark at its last sync here: a copy's pages are all new, so it counts what was written. */
    private long syncedBytes;
    private WriteTxn txn;
    private int writesInTxn;
    private long writes;

    BatchedWriter(Env target) {
        this.target = target;
    }

    /** Every bucket and key of {@code source}, put into the target (whose buckets it creates as needed). */
    void copyAll(ReadTxn source) throws IOException {
        for (String name : source.bucketNames()) {
            copyBucket(source.bucket(name));
        }
    }

    void copyBucket(Bucket from) throws IOException {
        createBucket(from.name());
        Cursor c = from.cursor();
        for (boolean ok = c.first(); ok; ok = c.next()) {
            put(from.name(), c.key(), c.value());
        }
    }

    void createBucket(String name) throws IOException {
        txn().createBucketIfAbsent(name);
        counted();
    }

    void deleteBucket(String name) throws IOException {
        txn().deleteBucket(name);
        counted();
    }

    void put(String bucket, MemorySegment key, MemorySegment value) throws IOException {
        txn().createBucketIfAbsent(bucket).put(key, value);
        counted();
    }

    void delete(String bucket, MemorySegment key) throws IOException {
        txn().createBucketIfAbsent(bucket).delete(key);
        counted();
    }

    /** Changes written so far (each put, delete and bucket operation counts one). */
    long writes() {
        return writes;
    }

    /** Commits what is pending (the target makes it durable at its next sync). */
    void commit() throws IOException {
        if (txn != null) {
            WriteTxn committing = txn;
            txn = null;
            writesInTxn = 0;
            committing.commit();
            if (target.highWaterBytes() - syncedBytes >= SYNC_EVERY_BYTES) {
                target.sync();
                syncedBytes = target.highWaterBytes();
            }
        }
    }

    private WriteTxn txn() {
        if (txn == null) {
            txn = target.beginWrite();
        }
        return txn;
    }

    private void counted() throws IOException {
        writes++;
        if (++writesInTxn == WRITES_PER_TXN) {
            commit();
        }
    }

    /** Aborts what was not committed. */
    @Override
    public void close() {
        if (txn != null) {
            txn.abort();
            txn = null;
        }
    }
}
