package io.cairn.raft;

/** The role a node plays in its current term. */
public enum RaftRole {
    FOLLOWER,
    /** Asking for pre-votes: it has not yet raised its term, so a partitioned node cannot disrupt the cluster. */
    PRE_CANDIDATE,
    CANDIDATE,
    LEADER
}
