package io.cairn.engine.server;

import io.cairn.btree.Env;
import io.cairn.btree.EnvOptions;
import io.cairn.btree.NoSpaceException;
import io.cairn.btree.ReadTxn;
import io.cairn.btree.WriteTxn;
import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.backend.BtreeView;
import io.cairn.engine.mvcc.LeaseLookup;
import io.cairn.engine.mvcc.MvccStore;
import io.cairn.engine.mvcc.OpResult;
import io.cairn.engine.mvcc.RangeQuery;
import io.cairn.engine.mvcc.RangeResult;
import io.cairn.engine.mvcc.TxnOp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The MVCC store on the B+tree file (<data-dir>/member/snap/db), durable on its own: each write
 * commits its own B+tree transaction with fdatasync before it is acknowledged. This stands in for
 * the Raft node until the WAL and Raft are wired in (then the tree syncs on a budget and the WAL
 * carries durability). Reads run on read transactions, concurrently with the writer.
 */
public final class BtreeKeyValueStore implements KeyValueStore, AutoCloseable {
    private final Env env;
    private final ReentrantLock writer = new ReentrantLock();
    private volatile MvccStore store;

    private BtreeKeyValueStore(final Env env, final MvccStore store) {
        this.env = env;
        this.store = store;
    }

    public static BtreeKeyValueStore open(final Path dataDir, final long mapSizeBytes, final int maxValueBytes)
        throws IOException {
        final Path snapDir = dataDir.resolve("member").resolve("snap");
        Files.createDirectories(snapDir);
        final Env env = Env.open(snapDir.resolve("db"), EnvOptions.defaults()
            .withMapSizeBytes(mapSizeBytes).withMaxValueBytes(maxValueBytes).withSyncOnCommit(true));
        try (ReadTxn read = env.beginRead()) {
            return new BtreeKeyValueStore(env, MvccStore.open(new BtreeView(read), LeaseLookup.NONE));
        }
    }

    @Override
    public RangeResult range(final RangeQuery query) {
        try (ReadTxn read = env.beginRead()) {
            return store.range(new BtreeView(read), query);
        }
    }

    @Override
    public OpResult.Put put(final TxnOp.Put put) {
        return write(view -> store.put(view, put));
    }

    @Override
    public OpResult.DeleteRange deleteRange(final TxnOp.DeleteRange delete) {
        return write(view -> store.deleteRange(view, delete));
    }

    @Override
    public OpResult.Txn txn(final TxnOp.Txn txn) {
        return write(view -> store.txn(view, txn));
    }

    @Override
    public long compact(final long revision) {
        return write(view -> store.compact(view, revision));
    }

    @Override
    public long currentRevision() {
        return store.currentRevision();
    }

    @Override
    public long backendSizeBytes() {
        return env.fileSizeBytes();
    }

    /**
     * One write, one committed B+tree transaction. If the write fails (an etcd error, or a full
     * map), the transaction is aborted and the MVCC store re-reads its revisions from the tree, so
     * nothing it did in memory survives a write that did not commit.
     */
    private <T> T write(final Function<BtreeView, T> operation) {
        writer.lock();
        try {
            final WriteTxn txn = env.beginWrite();
            final T result;
            try {
                result = operation.apply(new BtreeView(txn));
                txn.commit();
            } catch (final RuntimeException | IOException e) {
                txn.abort();
                reload();
                if (e instanceof NoSpaceException) {
                    throw new EtcdException(EtcdError.NO_SPACE);
                }
                if (e instanceof IOException io) {
                    throw new UncheckedIOException("cannot commit to " + env.path(), io);
                }
                throw (RuntimeException)e;
            }
            return result;
        } finally {
            writer.unlock();
        }
    }

    private void reload() {
        try (ReadTxn read = env.beginRead()) {
            store = MvccStore.open(new BtreeView(read), LeaseLookup.NONE);
        }
    }

    @Override
    public void close() throws IOException {
        env.close();
    }
}
