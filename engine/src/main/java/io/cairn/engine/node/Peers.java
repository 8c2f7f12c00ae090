package io.cairn.engine.node;

import io.cairn.raft.Message;
import io.cairn.transport.InboundHandler;

/**
 * The Raft loop's link to the other members. Single-owner (the Raft loop) and never blocking: a
 * message that cannot go at once is dropped, and Raft's retries recover it.
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

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    boolean send(Message message);

    /** Delivers what arrived to {@code inbound}; returns the work done (0 lets the loop idle). */
    int poll(InboundHandler inbound);

    /** Puts what {@link #send} queued on the wire now (the transport's driver runs on the loop's thread). */
    void flush();

    /** What the transport counted so far (any thread). */
    default PeerCounters counters() {
        return PeerCounters.NONE;
    }

    @Override
    void close();
}
