package io.cairn.raft;

/** Outcome of counting votes (or acknowledgements) against a configuration. */
enum VoteResult {
    PENDING,
    LOST,
    WON
}
