package io.cairn.engine.backend;

import io.cairn.btree.Cursor;
import io.cairn.btree.Env;
import io.cairn.btree.Txn;
import io.cairn.btree.WriteTxn;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Replaces the contents of every engine bucket with those of a snapshot from the leader, keeping
 * this member's own values of some meta keys (its identity). A write transaction holds every page
 * it writes in memory until it commits, so one transaction for the whole snapshot needed the
 * snapshot's size in direct memory (a 5.2 GB snapshot stopped a member with an
 * OutOfMemoryError). Each bucket is therefore copied under a staging name no reader looks at, in
 * transactions of about {@link #SLICE_BYTES}; one last transaction deletes the old buckets and
 * renames the staged ones. Readers see the old contents or the new, never a mix. An install a crash
 * cut short leaves staged buckets, which the next install deletes first.
 */
public final class ContentReplacement {
    /** Key and value bytes copied per transaction while staging. */
    public static final long SLICE_BYTES = 16L << 20;
    static final String STAGING_SUFFIX = ".incoming";

    private ContentReplacement() {
    }

    /**
     * Replaces {@code target}'s contents with {@code source}'s, copying at most about
     * {@code sliceBytes} of keys and values per transaction.
     *
     * @return the write transactions committed
     */
    public static int replace(final Env target, final Txn source, final List<byte[]> keptMetaKeys,
                              final long sliceBytes) throws IOException {
        int transactions = 0;
        for (final Bucket bucket : Bucket.values()) {
            transactions += stage(target, source, BtreeView.name(bucket), sliceBytes);
        }
        final WriteTxn txn = target.beginWrite();
        try {
            final BtreeView before = new BtreeView(txn);
            final List<byte[]> keptValues = keptMetaKeys.stream().map(key -> before.get(Bucket.META, key)).toList();
            for (final Bucket bucket : Bucket.values()) {
                final String name = BtreeView.name(bucket);
                txn.deleteBucket(name);
                txn.renameBucket(name + STAGING_SUFFIX, name);
            }
            final BtreeView after = new BtreeView(txn);
            for (int i = 0; i < keptMetaKeys.size(); i++) {
                if (keptValues.get(i) != null) {
                    after.put(Bucket.META, keptMetaKeys.get(i), keptValues.get(i));
                }
            }
            txn.commit();
        } finally {
            txn.abort();
        }
        return transactions + 1;
    }

    /** Copies {@code source}'s bucket {@code name} into a fresh staging bucket, a slice per transaction. */
    static int stage(final Env target, final Txn source, final String name, final long sliceBytes)
        throws IOException {
        final String staging = name + STAGING_SUFFIX;
        final io.cairn.btree.Bucket from = source.bucket(name);
        int transactions = 0;
        WriteTxn txn = target.beginWrite();
        try {
            txn.deleteBucket(staging);
            io.cairn.btree.Bucket to = txn.createBucketIfAbsent(staging);
            if (from != null) {
                final Cursor cursor = from.cursor();
                long sliceCopiedBytes = 0;
                for (boolean ok = cursor.first(); ok; ok = cursor.next()) {
                    final MemorySegment key = cursor.key();
                    final MemorySegment value = cursor.value();
                    to.put(key, value);
                    sliceCopiedBytes += key.byteSize() + value.byteSize();
                    if (sliceCopiedBytes >= sliceBytes) {
                        txn.commit();
                        transactions++;
                        txn = target.beginWrite();
                        to = txn.bucket(staging);
                        sliceCopiedBytes = 0;
                    }
                }
            }
            txn.commit();
            transactions++;
        } finally {
            txn.abort();
        }
        return transactions;
    }
}
