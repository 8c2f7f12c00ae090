package io.cairn.transport;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;

/**
 * One remote member: its two publications (Raft messages, snapshot chunks and acks) and the snapshot streams in
 * each direction. Aeron reconnects a publication by itself when the member's process comes back, so a restart
 * needs nothing here; a changed URL or a removed member replaces or closes the Peer. With TLS, each stream has its
 * own {@link TlsLink} (a snapshot never queues in front of heartbeats inside one TLS stream either), and everything
 * sent to the member goes through them.
 */
final class Peer implements AutoCloseable {
    final long memberId;
    final PeerUrl url;
    final ExclusivePublication messages;
    final ExclusivePublication snapshots;
    final SnapshotSender snapshotSender;
    final SnapshotReceiver snapshotReceiver;
    /** Where frames to the member go: the publications themselves, or the TLS links. */
    final FrameOutput messageOutput;
    final FrameOutput snapshotOutput;
    /** Null without TLS. */
    final TlsLink messageLink;
    final TlsLink snapshotLink;

    /**
     * @param tlsLinks null for plaintext
     * @param messageTarget  with TLS, where the Raft frames the member sends are handed once decrypted
     * @param snapshotTarget the same for snapshot chunks and acknowledgements
     */
    Peer(final Aeron aeron, final TransportConfig config, final TransportCounters counters, final long memberId,
         final PeerUrl url, final SnapshotStore store, final TlsLinks tlsLinks, final FrameHandler messageTarget,
         final FrameHandler snapshotTarget) {
        this.memberId = memberId;
        this.url = url;
        final int mtuBytes = config.driver().mtuBytes();
        this.messages = aeron.addExclusivePublication(url.channel(mtuBytes, config.driver().messageTermBytes()),
            AeronTransport.MESSAGE_STREAM_ID);
        this.snapshots = aeron.addExclusivePublication(url.channel(mtuBytes, config.snapshot().termBytes()),
            AeronTransport.SNAPSHOT_STREAM_ID);
        if (tlsLinks == null) {
            this.messageLink = null;
            this.snapshotLink = null;
            this.messageOutput = messages::offer;
            this.snapshotOutput = snapshots::offer;
        } else {
            final TlsFailureLog failureLog = new TlsFailureLog(config.memberId(), memberId);
            this.messageLink = tlsLinks.newLink(memberId, url, "raft messages", messages, messageTarget, failureLog);
            this.snapshotLink = tlsLinks.newLink(memberId, url, "snapshots", snapshots, snapshotTarget, failureLog);
            this.messageOutput = messageLink;
            this.snapshotOutput = snapshotLink;
        }
        this.snapshotSender = new SnapshotSender(config, counters, memberId, snapshotOutput);
        this.snapshotReceiver = new SnapshotReceiver(config, counters, memberId, snapshotOutput, store);
    }

    /** Whether Aeron connects both streams and, with TLS, both sessions are established. */
    boolean isConnected() {
        return messages.isConnected() && snapshots.isConnected()
            && (messageLink == null || messageLink.isEstablished() && snapshotLink.isEstablished());
    }

    /** Whether a snapshot is being streamed to or from the member. */
    boolean isStreamingSnapshot() {
        return snapshotSender.isActive() || snapshotReceiver.isReceiving();
    }

    /** The owner's poll: TLS handshakes and held-back records, then the outgoing snapshot. */
    int doWork(final long nowNs, final InboundHandler handler) {
        int work = 0;
        if (messageLink != null) {
            work += messageLink.doWork(nowNs);
            work += snapshotLink.doWork(nowNs);
        }
        return work + snapshotSender.doWork(nowNs, handler);
    }

    @Override
    public void close() {
        snapshotSender.end();
        snapshotReceiver.abort();
        messages.close();
        snapshots.close();
    }
}
