package io.cairn.engine.server;

import io.cairn.engine.mvcc.OpResult;
import io.cairn.engine.mvcc.RangeQuery;
import io.cairn.engine.mvcc.RangeResult;
import io.cairn.engine.mvcc.TxnOp;

/**
 * What the KV facade needs from the node: reads, and writes that return once applied. The
 * in-process implementation applies at once; the Raft-backed node (engine issue) replicates and
 * makes writes durable first, behind the same interface.
 */
public interface KeyValueStore {
    RangeResult range(RangeQuery query);

    OpResult.Put put(TxnOp.Put put);

    OpResult.DeleteRange deleteRange(TxnOp.DeleteRange delete);

    OpResult.Txn txn(TxnOp.Txn txn);

    /** Returns the response header's revision. */
    long compact(long revision);

    long currentRevision();

    /** The backend's size, which --quota-backend-bytes limits. */
    long backendSizeBytes();
}
