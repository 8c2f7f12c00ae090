package io.cairn.raft;

/**
 * A linearizable read is safe once this node has applied up to {@code index}: the leader confirmed with a quorum
 * that it still led after the read arrived, and {@code index} was its commit index at that moment.
 */
public record ReadState(long index, long context) {
}
