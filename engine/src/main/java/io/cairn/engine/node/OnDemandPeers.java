package io.cairn.engine.node;

import io.cairn.engine.cluster.Member;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;

/**
 * The peers of a member that started alone: no transport (and no media driver polled in every
 * duty cycle) until a membership change gives it another member; then the transport starts, and
 * from then on this is the transport.
 */
final class OnDemandPeers extends ForwardingPeers {
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
    Peers delegate() {
        return delegate;
    }

    @Override
    public void members(final List<Member> members, final Set<Long> removedIds) {
        if (delegate == Peers.NONE && members.stream().anyMatch(m -> m.id() != selfId)) {
            try {
                delegate = starter.start();
            } catch (final IOException e) {
                throw new UncheckedIOException("cannot start the peer transport for the new member", e);
            }
        }
        delegate.members(members, removedIds);
    }
}
