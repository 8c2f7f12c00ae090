package io.cairn.engine.backend;

import io.cairn.btree.Cursor;
import io.cairn.btree.Env;
import io.cairn.btree.ReadTxn;
import io.cairn.btree.Txn;
import io.cairn.btree.WriteTxn;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * Replaces the contents of every engine bucket with those of a snapshot from the leader, keeping
 * this member's own values of some meta keys (its identity), in one of two ways.
 *
 * <p>{@link #swap}, the usual one: the snapshot, a tree file beside this one, becomes the tree's file
 * ({@link Env#replaceWith}) once the kept values are written into it. Nothing is copied: installing
 * 1.5 GB by copying took 7-10 s (issue #21).
 *
 * <p>{@link #replace}, when the file cannot be swapped now (a defragmentation is running, or the file
 * one replaced is still read): a copy, key by key. A write transaction holds every page
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
     * Makes {@code received}, a tree file in {@code target}'s directory (a leader's snapshot), the
     * tree's file, with this member's values of {@code keptMetaKeys} written into it first and any
     * staging bucket a copy left in the leader's tree dropped. Returns false, having changed nothing,
     * when the file cannot be swapped now: {@link #replace} copies instead. Once it returns true,
     * {@code received} is gone. After a crash before the swap, doing it again is safe (the kept values
     * are this member's, whatever the file holds by then).
     */
    public static boolean swap(final Env target, final Path received, final List<byte[]> keptMetaKeys)
        throws IOException {
        final List<byte[]> keptValues;
        try (ReadTxn read = target.beginRead()) {
            keptValues = metaValues(new BtreeView(read), keptMetaKeys);
        }
        return target.replaceWith(received, txn -> {
            for (final Bucket bucket : Bucket.values()) {
                txn.deleteBucket(BtreeView.name(bucket) + STAGING_SUFFIX);
            }
            putMetaValues(new BtreeView(txn), keptMetaKeys, keptValues);
        });
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
            final List<byte[]> keptValues = metaValues(new BtreeView(txn), keptMetaKeys);
            for (final Bucket bucket : Bucket.values()) {
                final String name = BtreeView.name(bucket);
                txn.deleteBucket(name);
                txn.renameBucket(name + STAGING_SUFFIX, name);
            }
            putMetaValues(new BtreeView(txn), keptMetaKeys, keptValues);
            txn.commit();
        } finally {
            txn.abort();
        }
        return transactions + 1;
    }

    /** The meta bucket's values of {@code keys} (null where absent), read before the contents are replaced. */
    private static List<byte[]> metaValues(final BtreeView view, final List<byte[]> keys) {
        return keys.stream().map(key -> view.get(Bucket.META, key)).toList();
    }

    /** Writes them back into the new contents; a key this member lacked keeps the snapshot's value. */
    private static void putMetaValues(final BtreeView view, final List<byte[]> keys, final List<byte[]> values) {
        for (int i = 0; i < keys.size(); i++) {
            if (values.get(i) != null) {
                view.put(Bucket.META, keys.get(i), values.get(i));
            }
        }
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
