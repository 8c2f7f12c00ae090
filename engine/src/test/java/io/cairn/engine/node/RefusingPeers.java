package io.cairn.engine.node;

import io.cairn.raft.Message;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * A member's real peers, except that a send the test's predicate matches is refused: nothing is
 * written and {@link #send} answers false, as the transport does when a peer's publication is
 * back-pressured or not connected.
 */
final class RefusingPeers extends ForwardingPeers {
    private final Peers delegate;
    private final AtomicReference<Predicate<Message>> refused;

    RefusingPeers(final Peers delegate, final AtomicReference<Predicate<Message>> refused) {
        this.delegate = delegate;
        this.refused = refused;
    }

    @Override
    Peers delegate() {
        return delegate;
    }

    @Override
    public boolean send(final Message message) {
        return !refused.get().test(message) && delegate.send(message);
    }
}
