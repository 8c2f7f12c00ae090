package io.cairn.engine.node;

/**
 * The leader's view of one member's replication: the highest entry known to be in that member's
 * log, and in the leader's own (durable). etcd promotes a learner once the first is at least 90%
 * of the second.
 *
 * @param memberMatchIndex the member's match index
 * @param leaderMatchIndex the leader's own match index
 */
public record ReplicationProgress(long memberMatchIndex, long leaderMatchIndex) {
}
