package io.cairn.engine;

import io.cairn.engine.cluster.Member;
import io.cairn.engine.node.KeyValueStore;
import io.cairn.engine.peer.ClusterView;
import io.cairn.engine.peer.RemoteCluster;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * A member removed while it was down (or cut off) does not learn it from its own log: the others
 * drop its frames. Whenever it sees no leader, it asks the other members at their peer URLs whether
 * its id was removed (their answer lists removed ids), and if so runs {@code removed}: it stops as
 * etcd's removed member does, instead of campaigning forever unheard. With a leader it asks nothing
 * (a removal then arrives through the log).
 */
final class RemovedMemberCheck {
    private static final System.Logger LOG = System.getLogger(RemovedMemberCheck.class.getName());
    private static final long ASK_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Duration TIMEOUT_PER_PEER = Duration.ofSeconds(1);

    private RemovedMemberCheck() {
    }

    /** Starts checking on a virtual thread, for the life of the process (or until {@code removed} runs). */
    static void start(final KeyValueStore store, final SSLContext peerTls, final Runnable removed) {
        Thread.ofVirtual().name("cairn-removed-check").start(() -> {
            final long self = store.status().memberId();
            while (true) {
                if (store.status().leaderId() == 0) {
                    final List<URI> others = store.members().stream().filter(m -> m.id() != self)
                        .flatMap(m -> m.peerUrls().stream()).map(URI::create).toList();
                    if (!others.isEmpty() && removedAccordingTo(others, peerTls, self)) {
                        removed.run();
                        return;
                    }
                }
                try {
                    Thread.sleep(TimeUnit.NANOSECONDS.toMillis(ASK_EVERY_NANOS));
                } catch (final InterruptedException e) {
                    return;
                }
            }
        });
    }

    private static boolean removedAccordingTo(final List<URI> others, final SSLContext peerTls, final long self) {
        try {
            final ClusterView view = RemoteCluster.fetch(others, peerTls, TIMEOUT_PER_PEER);
            return view.removedIds().contains(self) && view.members().stream().map(Member::id).noneMatch(id -> id == self);
        } catch (final IOException | RuntimeException unanswered) {
            LOG.log(System.Logger.Level.DEBUG, "no peer answered the removal check: " + unanswered.getMessage());
            return false;
        }
    }
}
