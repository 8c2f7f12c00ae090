package io.cairn.engine.node;

/**
 * What the peer transport counted since the member started, for /metrics (Cairn's own, under
 * {@code cairn_peer_}): Raft messages sent and received, sends Aeron refused (back pressure: the
 * peer's buffer is full; not connected: the peer is down), and snapshots sent, received and failed.
 * A refused send is not lost for good: Raft sends again.
 */
public record PeerCounters(long messagesSent, long messagesReceived, long sendBackPressured, long sendNotConnected,
                           long snapshotsSent, long snapshotsReceived, long snapshotsFailed) {
    /** A member alone has no peers. */
    static final PeerCounters NONE = new PeerCounters(0, 0, 0, 0, 0, 0, 0);
}
