package io.cairn.engine.node;

import io.cairn.engine.cluster.Member;
import io.cairn.raft.Message;
import io.cairn.transport.InboundHandler;
import io.cairn.transport.SnapshotUploadAnswer;
import io.cairn.transport.SnapshotUploadRequest;
import java.util.List;
import java.util.Set;

/**
 * Peers that pass every call on to other peers ({@link #delegate}, read at each call): a subclass
 * overrides only what it changes, and a method added to {@link Peers}, defaults included, is
 * forwarded here once rather than silently left at its default in each wrapper.
 */
abstract class ForwardingPeers implements Peers {
    /** Where the calls go now. */
    abstract Peers delegate();

    @Override
    public boolean send(final Message message) {
        return delegate().send(message);
    }

    @Override
    public int poll(final InboundHandler inbound) {
        return delegate().poll(inbound);
    }

    @Override
    public boolean streamingSnapshot() {
        return delegate().streamingSnapshot();
    }

    @Override
    public boolean awaitTraffic(final long timeoutMs) {
        return delegate().awaitTraffic(timeoutMs);
    }

    @Override
    public void wakeUp() {
        delegate().wakeUp();
    }

    @Override
    public SnapshotUploadAnswer receiveSnapshot(final SnapshotUploadRequest request) {
        return delegate().receiveSnapshot(request);
    }

    @Override
    public void flush() {
        delegate().flush();
    }

    @Override
    public void members(final List<Member> members, final Set<Long> removedIds) {
        delegate().members(members, removedIds);
    }

    @Override
    public long connectedSinceNanos(final long id) {
        return delegate().connectedSinceNanos(id);
    }

    @Override
    public PeerCounters counters() {
        return delegate().counters();
    }

    @Override
    public void close() {
        delegate().close();
    }
}
