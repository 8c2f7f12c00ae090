package io.cairn.engine.node;

import io.cairn.engine.cluster.Member;
import io.cairn.raft.Message;
import io.cairn.transport.InboundHandler;
import io.cairn.transport.SnapshotUploadAnswer;
import io.cairn.transport.SnapshotUploadRequest;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * A member's real peers, except that a send the test's predicate matches is refused: nothing is
 * written and {@link #send} answers false, as the transport does when a peer's publication is
 * back-pressured or not connected. Everything else is passed through.
 */
final class RefusingPeers implements Peers {
    private final Peers delegate;
    private final AtomicReference<Predicate<Message>> refused;

    RefusingPeers(final Peers delegate, final AtomicReference<Predicate<Message>> refused) {
        this.delegate = delegate;
        this.refused = refused;
    }

    @Override
    public boolean send(final Message message) {
        return !refused.get().test(message) && delegate.send(message);
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
    public SnapshotUploadAnswer receiveSnapshot(final SnapshotUploadRequest request) {
        return delegate.receiveSnapshot(request);
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public void members(final List<Member> members, final Set<Long> removedIds) {
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
