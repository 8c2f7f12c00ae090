package io.cairn.engine.server;

import io.cairn.engine.backend.InMemoryBackend;
import io.cairn.engine.mvcc.LeaseLookup;
import io.cairn.engine.mvcc.MvccStore;
import io.cairn.engine.mvcc.OpResult;
import io.cairn.engine.mvcc.RangeQuery;
import io.cairn.engine.mvcc.RangeResult;
import io.cairn.engine.mvcc.TxnOp;

/**
 * The MVCC store over sorted maps, one request at a time: etcd's KV semantics with no
 * durability. It serves until the Raft node, WAL and B+tree are wired in.
 */
public final class InMemoryKeyValueStore implements KeyValueStore {
    private final InMemoryBackend backend = new InMemoryBackend();
    private final MvccStore store = MvccStore.open(backend, LeaseLookup.NONE);

    @Override
    public synchronized RangeResult range(final RangeQuery query) {
        return store.range(backend, query);
    }

    @Override
    public synchronized OpResult.Put put(final TxnOp.Put put) {
        return store.put(backend, put);
    }

    @Override
    public synchronized OpResult.DeleteRange deleteRange(final TxnOp.DeleteRange delete) {
        return store.deleteRange(backend, delete);
    }

    @Override
    public synchronized OpResult.Txn txn(final TxnOp.Txn txn) {
        return store.txn(backend, txn);
    }

    @Override
    public synchronized long compact(final long revision) {
        return store.compact(backend, revision);
    }

    @Override
    public long currentRevision() {
        return store.currentRevision();
    }

    @Override
    public synchronized long backendSizeBytes() {
        return backend.sizeBytes();
    }
}
