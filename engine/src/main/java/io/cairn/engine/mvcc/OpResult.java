package io.cairn.engine.mvcc;

import java.util.List;

/** The result of one {@link TxnOp}, with the revision etcd puts in its response header. */
public sealed interface OpResult {
    record Range(RangeResult result) implements OpResult {
    }

    /** {@code prevKv} is null unless asked for and the key existed. */
    record Put(KeyValue prevKv, long revision) implements OpResult {
    }

    record DeleteRange(long deleted, List<KeyValue> prevKvs, long revision) implements OpResult {
    }

    /** Nested Txn results carry revision 0, as etcd's do; the outermost carries the store's. */
    record Txn(boolean succeeded, List<OpResult> responses, long revision) implements OpResult {
    }
}
