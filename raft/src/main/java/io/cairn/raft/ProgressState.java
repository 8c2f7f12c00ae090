package io.cairn.raft;

/** How the leader is replicating to one follower. */
enum ProgressState {
    /** Not sure where the follower's log matches: one APPEND at a time, then wait for the answer. */
    PROBE,
    /** In step: stream APPENDs optimistically, up to the inflight window. */
    REPLICATE,
    /** Sent a snapshot; wait for it to be installed (or reported failed). */
    SNAPSHOT
}
