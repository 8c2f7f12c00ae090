package io.cairn.transport;

import io.aeron.Aeron;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The transport's counters, allocated in the media driver's counters file so {@code AeronStat} and monitoring read
 * them from outside the process like Aeron's own. Only the transport's owner thread writes them.
 */
public final class TransportCounters {
    /** Aeron reserves type ids below 1000 for itself. */
    private static final int TYPE_ID = 1_900;

    public final AtomicCounter messagesSent;
    public final AtomicCounter messagesReceived;
    /** A publication was full (the peer reads slower than we send); the message was dropped, Raft resends. */
    public final AtomicCounter sendBackPressured;
    /** The peer's subscription is not there (down, restarting, not started yet); the message was dropped. */
    public final AtomicCounter sendNotConnected;
    /** Admin action, closed publication, position limit: dropped. */
    public final AtomicCounter sendFailedOther;
    public final AtomicCounter sendUnknownPeer;
    public final AtomicCounter sendTooLarge;
    public final AtomicCounter framesForeignCluster;
    public final AtomicCounter framesUnknownSender;
    public final AtomicCounter framesMisaddressed;
    public final AtomicCounter framesMalformed;
    public final AtomicCounter snapshotChunksSent;
    public final AtomicCounter snapshotChunksResent;
    public final AtomicCounter snapshotChunksReceived;
    public final AtomicCounter snapshotChunksOutOfOrder;
    public final AtomicCounter snapshotChunksCorrupt;
    public final AtomicCounter snapshotRestarts;
    public final AtomicCounter snapshotsSent;
    public final AtomicCounter snapshotsReceived;
    public final AtomicCounter snapshotsFailed;
    /** TLS: the peer has no session with us yet (handshake not done, or ended); the message was dropped. */
    public final AtomicCounter sendNoTlsSession;
    /** TLS: a plaintext raft frame reached this TLS member (a member without TLS, or an attacker); not decoded. */
    public final AtomicCounter framesNotTls;
    /** TLS: records from a member with no session with us (before or between handshakes); not decrypted. */
    public final AtomicCounter framesBeforeHandshake;
    /** TLS: a decrypted frame names another sender than the member its session was opened with. */
    public final AtomicCounter framesSenderMismatch;
    /** TLS sessions whose handshake completed and whose peer passed every check (one per stream and pair). */
    public final AtomicCounter tlsHandshakesCompleted;
    /** TLS handshakes refused: a certificate from an untrusted CA, expired, the wrong CN, or refused by the peer. */
    public final AtomicCounter tlsHandshakesRefused;
    /** TLS sessions ended by an error other than a refused certificate: timeout, bad record, closed by the peer. */
    public final AtomicCounter tlsSessionsFailed;
    /** TLS sessions replaced by a new handshake: the peer's Aeron image changed, or the peer lost its session. */
    public final AtomicCounter tlsSessionsRestarted;

    TransportCounters(final Aeron aeron, final long memberId) {
        final String member = " member=" + Long.toHexString(memberId);
        messagesSent = aeron.addCounter(TYPE_ID, "cairn messages sent" + member);
        messagesReceived = aeron.addCounter(TYPE_ID, "cairn messages received" + member);
        sendBackPressured = aeron.addCounter(TYPE_ID, "cairn send dropped: back pressure" + member);
        sendNotConnected = aeron.addCounter(TYPE_ID, "cairn send dropped: peer not connected" + member);
        sendFailedOther = aeron.addCounter(TYPE_ID, "cairn send dropped: publication unusable" + member);
        sendUnknownPeer = aeron.addCounter(TYPE_ID, "cairn send dropped: unknown peer" + member);
        sendTooLarge = aeron.addCounter(TYPE_ID, "cairn send dropped: message too large" + member);
        framesForeignCluster = aeron.addCounter(TYPE_ID, "cairn frames dropped: foreign cluster" + member);
        framesUnknownSender = aeron.addCounter(TYPE_ID, "cairn frames dropped: unknown sender" + member);
        framesMisaddressed = aeron.addCounter(TYPE_ID, "cairn frames dropped: addressed to another member" + member);
        framesMalformed = aeron.addCounter(TYPE_ID, "cairn frames dropped: malformed" + member);
        snapshotChunksSent = aeron.addCounter(TYPE_ID, "cairn snapshot chunks sent" + member);
        snapshotChunksResent = aeron.addCounter(TYPE_ID, "cairn snapshot chunks sent again" + member);
        snapshotChunksReceived = aeron.addCounter(TYPE_ID, "cairn snapshot chunks received in order" + member);
        snapshotChunksOutOfOrder = aeron.addCounter(TYPE_ID, "cairn snapshot chunks out of order" + member);
        snapshotChunksCorrupt = aeron.addCounter(TYPE_ID, "cairn snapshot chunks failing CRC32C" + member);
        snapshotRestarts = aeron.addCounter(TYPE_ID, "cairn snapshots restarted from offset 0" + member);
        snapshotsSent = aeron.addCounter(TYPE_ID, "cairn snapshots delivered (sender)" + member);
        snapshotsReceived = aeron.addCounter(TYPE_ID, "cairn snapshots received" + member);
        snapshotsFailed = aeron.addCounter(TYPE_ID, "cairn snapshots given up" + member);
        sendNoTlsSession = aeron.addCounter(TYPE_ID, "cairn send dropped: no TLS session with the peer" + member);
        framesNotTls = aeron.addCounter(TYPE_ID, "cairn frames dropped: plaintext at a TLS member" + member);
        framesBeforeHandshake = aeron.addCounter(TYPE_ID, "cairn frames dropped: no TLS session with the sender"
            + member);
        framesSenderMismatch = aeron.addCounter(TYPE_ID, "cairn frames dropped: sender is not its TLS session's peer"
            + member);
        tlsHandshakesCompleted = aeron.addCounter(TYPE_ID, "cairn tls handshakes completed" + member);
        tlsHandshakesRefused = aeron.addCounter(TYPE_ID, "cairn tls handshakes refused: certificate" + member);
        tlsSessionsFailed = aeron.addCounter(TYPE_ID, "cairn tls sessions failed: timeout or error" + member);
        tlsSessionsRestarted = aeron.addCounter(TYPE_ID, "cairn tls sessions restarted: new image" + member);
    }

    /** Frames dropped for any reason a sender outside the cluster could cause. */
    public long framesRejected() {
        return framesForeignCluster.get() + framesUnknownSender.get() + framesMisaddressed.get()
            + framesMalformed.get() + framesNotTls.get() + framesBeforeHandshake.get() + framesSenderMismatch.get();
    }
}
