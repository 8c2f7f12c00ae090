package io.cairn.engine.node;

import io.cairn.engine.cluster.Member;
import io.cairn.raft.Message;
import io.cairn.transport.InboundHandler;
import java.util.List;

/**
 * The Raft loop's link to the other members. Single-owner (the Raft loop) and never blocking: a
 * message that cannot go at once is dropped ({@link #send} answers false), and Raft's retries
 * recover it, except a follower's forwarded proposal, whose writes the loop fails at once. The one
 * wait is {@link #awaitTraffic}, the loop's sleep when it has nothing to do.
 */
interface Peers extends AutoCloseable {
    /** A member alone: nobody to send to, nothing arrives. */
    Peers NONE = new Peers() {
        @Override
        public boolean send(final Message message) {
            return false;
        }

        @Override
        public int poll(final InboundHandler inbound) {
            return 0;
        }

        /** Nothing will arrive: it sleeps until woken ({@link RaftLoop#wake} unparks the loop) or the timeout. */
        @Override
        public boolean awaitTraffic(final long timeoutMs) {
            java.util.concurrent.locks.LockSupport.parkNanos(timeoutMs * 1_000_000);
            return true;
        }

        @Override
        public void flush() {
        }

        @Override
        public void members(final List<Member> members, final java.util.Set<Long> removedIds) {
        }

        @Override
        public void close() {
        }
    };

    boolean send(Message message);

    /** Delivers what arrived to {@code inbound}; returns the work done (0 lets the loop idle). */
    int poll(InboundHandler inbound);

    /**
     * Whether a snapshot is being streamed to or from a member: its chunks move only while the
     * owner polls, so the owner should not park long meanwhile.
     */
    default boolean streamingSnapshot() {
        return false;
    }

    /**
     * In place of a park when the owner found nothing to do: sleeps until something arrives from a peer,
     * {@link #wakeUp} is called, or {@code timeoutMs} (at least 1) pass; false, at once, when this transport cannot
     * wait on its sockets (the owner parks then).
     */
    default boolean awaitTraffic(final long timeoutMs) {
        return false;
    }

    /** Ends an {@link #awaitTraffic} under way, or makes the next one return at once (any thread). */
    default void wakeUp() {
    }

    /**
     * A snapshot a peer sent over TCP, on the peer listener's request thread (see
     * {@link io.cairn.transport.AeronTransport#receiveSnapshot}); refused with 503 by a member with no transport.
     */
    default io.cairn.transport.SnapshotUploadAnswer receiveSnapshot(final io.cairn.transport.SnapshotUploadRequest request) {
        return io.cairn.transport.SnapshotUploadAnswer.NO_TRANSPORT;
    }

    /** Puts what {@link #send} queued on the wire now (the transport's driver runs on the loop's thread). */
    void flush();

    /**
     * A membership change was applied (or a snapshot installed): every member of {@code members} is
     * a peer at its first peer URL (added, or moved there), and the ids in {@code removedIds} are
     * peers no more. A member absent from {@code members} but not removed stays: a member replaying
     * old changes (one that joined, or fell behind) must keep the peers the cluster has now, among
     * them perhaps its leader. This member itself is skipped.
     */
    void members(List<Member> members, java.util.Set<Long> removedIds);

    /**
     * Since when (System.nanoTime) the link to member {@code id} has been up without a break, as last
     * seen by the owner's poll; {@link Long#MIN_VALUE} when it is down or unknown (any thread).
     */
    default long connectedSinceNanos(final long id) {
        return Long.MIN_VALUE;
    }

    /** What the transport counted so far (any thread). */
    default PeerCounters counters() {
        return PeerCounters.NONE;
    }

    @Override
    void close();
}
