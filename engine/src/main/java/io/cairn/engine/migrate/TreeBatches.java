package io.cairn.engine.migrate;

import io.cairn.btree.Env;
import io.cairn.btree.EnvOptions;
import io.cairn.btree.WriteTxn;
import io.cairn.engine.backend.BackendWriter;
import io.cairn.engine.backend.BtreeView;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The new member's tree while a migration fills it: one write transaction at a time, committed
 * every {@link #BATCH_WRITES_MAX} writes so that memory stays bounded whatever the snapshot's size.
 * Nobody reads the file before the migration ends (a failed one is deleted), so the intermediate
 * commits need no sync; {@link #finish} syncs once.
 */
final class TreeBatches implements AutoCloseable {
    static final int BATCH_WRITES_MAX = 20_000;

    private final Env env;
    private WriteTxn txn;
    private BtreeView view;

    private TreeBatches(final Env env) {
        this.env = env;
        begin();
    }

    /**
     * A new tree at {@code file}, with address space for {@code expectedBytes} (Cairn's tree takes
     * about twice etcd's file for the same history: slotted pages, and every version keyed twice).
     */
    static TreeBatches create(final Path file, final long expectedBytes) throws IOException {
        final long pageBytes = 4096;
        final long wanted = Math.max(EnvOptions.DEFAULT_MAP_SIZE_BYTES, (4 * expectedBytes + pageBytes - 1) / pageBytes * pageBytes);
        return new TreeBatches(Env.open(file, EnvOptions.defaults()
            .withMapSizeBytes(wanted)
            .withMaxValueBytes(EnvOptions.MAX_VALUE_BYTES_LIMIT)
            .withSyncOnCommit(false)));
    }

    private void begin() {
        txn = env.beginWrite();
        view = new BtreeView(txn);
    }

    /** The open transaction; the one before it is committed once it holds a batch's worth of writes. */
    BackendWriter writer() throws IOException {
        if (view.writes() >= BATCH_WRITES_MAX) {
            txn.commit();
            begin();
        }
        return view;
    }

    /** Commits the last batch and makes the whole file durable. */
    void finish() throws IOException {
        txn.commit();
        env.sync(); // with no transaction open: the sync's own freelist commit is not nested in one
        begin();
    }

    long fileSizeBytes() {
        return env.fileSizeBytes();
    }

    @Override
    public void close() throws IOException {
        txn.abort();
        env.close();
    }
}
