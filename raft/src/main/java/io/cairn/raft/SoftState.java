package io.cairn.raft;

/** Volatile state the host may want to observe (who leads, what this node is); never persisted. */
public record SoftState(long leader, RaftRole role) {
}
