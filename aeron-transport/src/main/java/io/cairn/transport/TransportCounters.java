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
    }

    /** Frames dropped for any reason a sender outside the cluster could cause. */
    public long framesRejected() {
        return framesForeignCluster.get() + framesUnknownSender.get() + framesMisaddressed.get()
            + framesMalformed.get();
    }
}
