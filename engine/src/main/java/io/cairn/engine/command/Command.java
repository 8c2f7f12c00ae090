package io.cairn.engine.command;

import io.cairn.engine.mvcc.TxnOp;

/**
 * What one Raft log entry asks the state machine to do. The request id lets the member that
 * proposed it find the client call waiting for the result; other members and replays ignore it.
 */
public sealed interface Command {
    long requestId();

    /** A Put, DeleteRange or Txn, applied through the MVCC store. */
    record Write(long requestId, TxnOp op) implements Command {
    }

    /**
     * Compaction up to {@code revision}. With {@code physical} the proposer answers only once the
     * obsolete versions are gone from its backend (etcd's CompactionRequest.physical).
     */
    record Compact(long requestId, long revision, boolean physical) implements Command {
    }
}
