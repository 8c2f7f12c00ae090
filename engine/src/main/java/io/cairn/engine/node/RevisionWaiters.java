package io.cairn.engine.node;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Futures that complete once the store's revision passes a given one: how lock and election
 * waiters learn that something changed without polling. The applier reports each new revision
 * right after its commit; a future is completed on that thread, so waiters continue on their own
 * executor.
 * There is one waiter per waiting client call, so the list is bounded by the calls in flight.
 */
public final class RevisionWaiters {
    private record Waiter(long revision, CompletableFuture<Void> passed) {
    }

    private final List<Waiter> waiters = new ArrayList<>();
    private long latest;

    RevisionWaiters(final long currentRevision) {
        this.latest = currentRevision;
    }

    /** Completes once the revision is above {@code revision} (at once if it already is). */
    public CompletableFuture<Void> after(final long revision) {
        synchronized (waiters) {
            if (latest > revision) {
                return CompletableFuture.completedFuture(null);
            }
            final Waiter waiter = new Waiter(revision, new CompletableFuture<>());
            waiters.add(waiter);
            return waiter.passed();
        }
    }

    /** Called by the applying thread after each commit that moved the revision. */
    void advanced(final long currentRevision) {
        final List<Waiter> passed;
        synchronized (waiters) {
            if (currentRevision <= latest) {
                return;
            }
            latest = currentRevision;
            if (waiters.isEmpty()) {
                return; // the usual commit: nobody waits, so no list and no lambda (issue #21)
            }
            passed = new ArrayList<>();
            waiters.removeIf(w -> {
                if (w.revision() < currentRevision) {
                    passed.add(w);
                    return true;
                }
                return false;
            });
        }
        passed.forEach(w -> w.passed().complete(null));
    }
}
