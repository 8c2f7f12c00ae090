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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The MVCC store on the B+tree file (<data-dir>/member/snap/db), durable on its own. Writes go
 * through one apply thread that takes everything waiting (up to a bound), runs it in one B+tree
 * write transaction and commits it with fdatasync before answering any of it: group commit, so
 * many concurrent writers share one sync. Each write still takes its own revision. This stands in
 * for the Raft node until the WAL and Raft are wired in (then the WAL carries durability and the
 * tree syncs on a budget). Reads run on their own read transactions, concurrently.
 */
public final class BtreeKeyValueStore implements KeyValueStore, AutoCloseable {
    private static final int PENDING_WRITES_MAX = 16_384;
    private static final int BATCH_WRITES_MAX = 1_024;
    private static final long IDLE_POLL_MILLIS = 100;

    /** A write waiting for the apply thread. */
    private record PendingWrite(Function<BtreeView, ?> operation, CompletableFuture<Object> result) {
    }

    private final Env env;
    private final ArrayBlockingQueue<PendingWrite> pending = new ArrayBlockingQueue<>(PENDING_WRITES_MAX);
    private final Thread applier;
    private volatile MvccStore store;
    private volatile boolean closed;

    private BtreeKeyValueStore(final Env env, final MvccStore store) {
        this.env = env;
        this.store = store;
        this.applier = Thread.ofPlatform().name("cairn-apply").daemon().unstarted(this::applyLoop);
    }

    public static BtreeKeyValueStore open(final Path dataDir, final long mapSizeBytes, final int maxValueBytes)
        throws IOException {
        final Path snapDir = dataDir.resolve("member").resolve("snap");
        Files.createDirectories(snapDir);
        final Env env = Env.open(snapDir.resolve("db"), EnvOptions.defaults()
            .withMapSizeBytes(mapSizeBytes).withMaxValueBytes(maxValueBytes).withSyncOnCommit(true));
        final BtreeKeyValueStore kv;
        try (ReadTxn read = env.beginRead()) {
            kv = new BtreeKeyValueStore(env, MvccStore.open(new BtreeView(read), LeaseLookup.NONE));
        }
        kv.applier.start();
        return kv;
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

    /** Queues the write (waiting while the queue is full) and returns once it is durable. */
    @SuppressWarnings("unchecked")
    private <T> T write(final Function<BtreeView, T> operation) {
        final PendingWrite write = new PendingWrite(operation, new CompletableFuture<>());
        try {
            pending.put(write);
            return (T)write.result.get();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EtcdException(EtcdError.STOPPED);
        } catch (final ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException("write failed", e.getCause());
        }
    }

    private void applyLoop() {
        final List<PendingWrite> batch = new ArrayList<>(BATCH_WRITES_MAX);
        while (!closed) {
            batch.clear();
            try {
                final PendingWrite first = pending.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
            } catch (final InterruptedException e) {
                break;
            }
            pending.drainTo(batch, BATCH_WRITES_MAX - 1);
            applyBatch(batch);
        }
        final EtcdException stopped = new EtcdException(EtcdError.STOPPED);
        pending.forEach(write -> write.result.completeExceptionally(stopped));
    }

    /**
     * Runs the batch in one transaction. A write refused by etcd's rules (EtcdException, or a bad
     * argument) wrote nothing and fails alone; anything else, or a failed commit, aborts the whole
     * batch and the MVCC store re-reads its revisions, so nothing uncommitted survives in memory.
     */
    private void applyBatch(final List<PendingWrite> batch) {
        final Object[] results = new Object[batch.size()];
        final RuntimeException[] refusals = new RuntimeException[batch.size()];
        final WriteTxn txn = env.beginWrite();
        try {
            final BtreeView view = new BtreeView(txn);
            for (int i = 0; i < batch.size(); i++) {
                try {
                    results[i] = batch.get(i).operation.apply(view);
                } catch (final EtcdException | IllegalArgumentException refused) {
                    refusals[i] = refused;
                }
            }
            txn.commit();
        } catch (final RuntimeException | IOException e) {
            txn.abort();
            reload();
            final RuntimeException failure = e instanceof NoSpaceException ? new EtcdException(EtcdError.NO_SPACE)
                : e instanceof IOException io ? new UncheckedIOException("cannot commit to " + env.path(), io)
                : (RuntimeException)e;
            batch.forEach(write -> write.result.completeExceptionally(failure));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            if (refusals[i] != null) {
                batch.get(i).result.completeExceptionally(refusals[i]);
            } else {
                batch.get(i).result.complete(results[i]);
            }
        }
    }

    private void reload() {
        try (ReadTxn read = env.beginRead()) {
            store = MvccStore.open(new BtreeView(read), LeaseLookup.NONE);
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        try {
            applier.join();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        env.close();
    }
}
