package io.cairn.engine.node;

import io.cairn.engine.cluster.Member;
import io.cairn.raft.Message;
import io.cairn.transport.InboundHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The peers of a member that started alone: no transport (and no media driver polled in every
 * duty cycle) until a membership change gives it another member; then the transport starts, and
 * from then on this is the transport.
 */
final class OnDemandPeers implements Peers {
    /** Starts the transport; called on the Raft loop's thread, at most once. */
    @FunctionalInterface
    interface Starter {
        Peers start() throws IOException;
    }

    private final long selfId;
    private final Starter starter;
    private volatile Peers delegate = Peers.NONE;

    OnDemandPeers(final long selfId, final Starter starter) {
        this.selfId = selfId;
        this.starter = starter;
    }

    @Override
    public boolean send(final Message message) {
        return delegate.send(message);
    }

    @Override
    public int poll(final InboundHandler inbound) {
        return delegate.poll(inbound);
    }

    @Override
    public boolean streamingSnapshot() {
        return delegate.streamingSnapshot();
    }

    @Override
    public boolean awaitTraffic(final long timeoutMs) {
        return delegate.awaitTraffic(timeoutMs);
    }

    @Override
    public void wakeUp() {
        delegate.wakeUp();
    }

    @Override
    public io.cairn.transport.SnapshotUploadAnswer receiveSnapshot(final io.cairn.transport.SnapshotUploadRequest request) {
        return delegate.receiveSnapshot(request);
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public void members(final List<Member> members, final java.util.Set<Long> removedIds) {
        if (delegate == Peers.NONE && members.stream().anyMatch(m -> m.id() != selfId)) {
            try {
                delegate = starter.start();
            } catch (final IOException e) {
                throw new UncheckedIOException("cannot start the peer transport for the new member", e);
            }
        }
        delegate.members(members, removedIds);
    }

    @Override
    public long connectedSinceNanos(final long id) {
        return delegate.connectedSinceNanos(id);
    }

    @Override
    public PeerCounters counters() {
        return delegate.counters();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
