package io.cairn.raft.sim;

/**
 * One client with at most one request outstanding, a write or a read. A write keeps its sequence number across
 * retries (so the state machine can drop the duplicates); a read gets a fresh context per attempt.
 */
final class SimClient {
    enum Pending {
        NONE,
        WRITE,
        READ
    }

    final int id;
    Pending pending = Pending.NONE;
    long nextSeq = 1;
    long node;
    long deadlineStep;

    long writeSeq;

    long readContext;
    long readInvokedStep;
    /** Highest acknowledged write index, and highest read result, when this read was invoked. */
    long readMinIndex;

    long writesAcknowledged;
    long readsCompleted;

    SimClient(final int id) {
        this.id = id;
    }
}
