package io.cairn.engine.node;

/**
 * What the peer transport counted since the member started, for /metrics (Cairn's own, under
 * {@code cairn_peer_}): Raft messages sent and received, sends Aeron refused (back pressure: the
 * peer's buffer is full; not connected: the peer is down; refused otherwise: an unusable
 * publication, a message too large, an unknown peer, no TLS session yet), and snapshots sent,
 * received and failed. Raft sends appends and heartbeats again after a refusal; a follower's
 * forwarded proposal it does not, so the Raft loop fails the writes it carried at once.
 */
public record PeerCounters(long messagesSent, long messagesReceived, long sendBackPressured, long sendNotConnected,
                           long sendRefusedOther, long snapshotsSent, long snapshotsReceived, long snapshotsFailed) {
    /** A member alone has no peers. */
    static final PeerCounters NONE = new PeerCounters(0, 0, 0, 0, 0, 0, 0, 0);
}
