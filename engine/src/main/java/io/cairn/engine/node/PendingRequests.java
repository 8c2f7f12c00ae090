package io.cairn.engine.node;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The calls waiting for their proposals' outcomes, by request id. Each is answered exactly once:
 * by its outcome, by an error when the member cannot propose or stops, or by etcd's "request
 * timed out" once its deadline passes. The deadline is kept by a thread of its own, so a caller is
 * answered in time even while the Raft loop or the apply thread is stuck (on a slow disk, say).
 * Whoever removes a waiter answers it, so the answers never race.
 */
final class PendingRequests implements AutoCloseable {
    /** How often deadlines are checked: a timed-out call is answered at most this late. */
    private static final long SWEEP_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private record Waiter(CompletableFuture<Object> future, long deadlineNanos) {
    }

    /**
     * An outcome saying the command was applied and its answer comes later (a physical compaction,
     * answered once the old revisions are gone): from then on the call waits as long as its client
     * does, as in etcd, not the member's request timeout (bounded by {@link #STILL_RUNNING_MAX_NANOS}).
     */
    static final Object STILL_RUNNING = new Object();
    private static final long STILL_RUNNING_MAX_NANOS = TimeUnit.HOURS.toNanos(24);

    private final Map<Long, Waiter> waiting = new ConcurrentHashMap<>();
    private final long timeoutNanos;
    private final AtomicLong failures = new AtomicLong();
    private final Thread sweeper;
    private volatile boolean closed;

    PendingRequests(final long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
        this.sweeper = Thread.ofPlatform().name("cairn-request-deadlines").daemon().unstarted(this::sweepLoop);
        sweeper.start();
    }

    /** A new waiting call; its future completes with the outcome, or fails with an {@link EtcdException}. */
    CompletableFuture<Object> register(final long requestId) {
        final CompletableFuture<Object> future = new CompletableFuture<>();
        waiting.put(requestId, new Waiter(future, System.nanoTime() + timeoutNanos));
        return future;
    }

    /** Hands an applied command's outcome (a result, or the refusal that left no trace) to its caller, if any waits here. */
    void complete(final long requestId, final Object outcome) {
        if (outcome == STILL_RUNNING) {
            waiting.computeIfPresent(requestId,
                (id, waiter) -> new Waiter(waiter.future, System.nanoTime() + STILL_RUNNING_MAX_NANOS));
            return;
        }
        final Waiter waiter = waiting.remove(requestId);
        if (waiter == null) {
            return; // proposed by another member or an earlier run, or already timed out
        }
        if (outcome instanceof RuntimeException refused) {
            waiter.future.completeExceptionally(refused);
        } else {
            waiter.future.complete(outcome);
        }
    }

    void fail(final long requestId, final EtcdError error) {
        final Waiter waiter = waiting.remove(requestId);
        if (waiter != null) {
            failures.incrementAndGet();
            waiter.future.completeExceptionally(new EtcdException(error));
        }
    }

    /** Calls waiting now. */
    int size() {
        return waiting.size();
    }

    /** Calls answered with an error so far (not with a refusal the state machine decided: that is an outcome). */
    long failures() {
        return failures.get();
    }

    /** Answers every waiting call with {@code error} (the member stops). */
    void failAll(final EtcdError error) {
        for (final Long requestId : waiting.keySet()) {
            fail(requestId, error);
        }
    }

    private void sweepLoop() {
        while (!closed) {
            LockSupport.parkNanos(this, SWEEP_EVERY_NANOS);
            final long now = System.nanoTime();
            waiting.forEach((requestId, waiter) -> {
                if (now - waiter.deadlineNanos >= 0) {
                    fail(requestId, EtcdError.TIMEOUT);
                }
            });
        }
    }

    /** Stops keeping deadlines; the caller answers what is left ({@link #failAll}). */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(sweeper);
        try {
            sweeper.join();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
