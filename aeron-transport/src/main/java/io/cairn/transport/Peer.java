package io.cairn.transport;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;

/**
 * One remote member: its two publications (Raft messages, snapshot chunks and acks) and the snapshot streams in
 * each direction. Aeron reconnects a publication by itself when the member's process comes back, so a restart
 * needs nothing here; a changed URL or a removed member replaces or closes the Peer.
 */
final class Peer implements AutoCloseable {
    final long memberId;
    final PeerUrl url;
    final ExclusivePublication messages;
    final ExclusivePublication snapshots;
    final SnapshotSender snapshotSender;
    final SnapshotReceiver snapshotReceiver;

    Peer(final Aeron aeron, final TransportConfig config, final TransportCounters counters, final long memberId,
         final PeerUrl url, final SnapshotStore store) {
        this.memberId = memberId;
        this.url = url;
        this.messages = aeron.addExclusivePublication(url.channel(config.mtuBytes(), config.messageTermBytes()),
            AeronTransport.MESSAGE_STREAM_ID);
        this.snapshots = aeron.addExclusivePublication(url.channel(config.mtuBytes(), config.snapshotTermBytes()),
            AeronTransport.SNAPSHOT_STREAM_ID);
        this.snapshotSender = new SnapshotSender(config, counters, memberId, snapshots);
        this.snapshotReceiver = new SnapshotReceiver(config, counters, memberId, snapshots, store);
    }

    @Override
    public void close() {
        snapshotSender.end();
        snapshotReceiver.abort();
        messages.close();
        snapshots.close();
    }
}
