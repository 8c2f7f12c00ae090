package io.cairn.engine.node;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.auth.AuthInfo;
import io.cairn.engine.mvcc.TxnOp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.agrona.collections.Long2ObjectHashMap;

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

    /**
     * A waiting call: the future its caller holds, with its deadline beside it, and the proposal the
     * Raft loop takes from its queue (one object per call, not a future, a record and a proposal;
     * issue #21). The deadline is guarded by {@link #waiting}'s lock.
     */
    static final class Waiter extends CompletableFuture<Object> implements RaftLoop.Proposal {
        private final long requestId;
        private final byte[] data;
        private final TxnOp.Put put;
        private final AuthInfo caller;
        private final boolean confChange;
        private long deadlineNanos;

        private Waiter(final long requestId, final byte[] data, final TxnOp.Put put, final AuthInfo caller,
            final boolean confChange, final long deadlineNanos) {
            this.requestId = requestId;
            this.data = data;
            this.put = put;
            this.caller = caller;
            this.confChange = confChange;
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public long requestId() {
            return requestId;
        }

        @Override
        public byte[] data() {
            return data;
        }

        @Override
        public TxnOp.Put put() {
            return put;
        }

        @Override
        public AuthInfo caller() {
            return caller;
        }

        @Override
        public boolean confChange() {
            return confChange;
        }
    }

    /**
     * An outcome saying the command was applied and its answer comes later (a physical compaction,
     * answered once the old revisions are gone): from then on the call waits as long as its client
     * does, as in etcd, not the member's request timeout (bounded by {@link #STILL_RUNNING_MAX_NANOS}).
     */
    static final Object STILL_RUNNING = new Object();
    private static final long STILL_RUNNING_MAX_NANOS = TimeUnit.HOURS.toNanos(24);

    /**
     * By request id, without a boxed key and a map node per call (issue #21). Guarded by its own
     * lock, held only to look up, add or remove: futures are completed after it is released, since
     * completing runs the callers' continuations.
     */
    private final Long2ObjectHashMap<Waiter> waiting = new Long2ObjectHashMap<>();
    private final long timeoutNanos;
    private final AtomicLong failures = new AtomicLong();
    private final Thread sweeper;
    private volatile boolean closed;

    PendingRequests(final long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
        this.sweeper = Thread.ofPlatform().name("cairn-request-deadlines").daemon().unstarted(this::sweepLoop);
        sweeper.start();
    }

    /**
     * A new waiting call for the proposal of {@code data} (see {@link RaftLoop.Proposal}); as a
     * future it completes with the outcome, or fails with an {@link EtcdException}.
     */
    Waiter register(final long requestId, final byte[] data, final boolean confChange) {
        return add(new Waiter(requestId, data, null, null, confChange, System.nanoTime() + timeoutNanos));
    }

    /** As {@link #register}, for a plain put of {@code caller} that the Raft loop encodes itself. */
    Waiter registerPut(final long requestId, final TxnOp.Put put, final AuthInfo caller) {
        return add(new Waiter(requestId, null, put, caller, false, System.nanoTime() + timeoutNanos));
    }

    private Waiter add(final Waiter waiter) {
        synchronized (waiting) {
            waiting.put(waiter.requestId, waiter);
        }
        return waiter;
    }

    private Waiter remove(final long requestId) {
        synchronized (waiting) {
            return waiting.remove(requestId);
        }
    }

    /** Hands an applied command's outcome (a result, or the refusal that left no trace) to its caller, if any waits here. */
    void complete(final long requestId, final Object outcome) {
        if (outcome == STILL_RUNNING) {
            synchronized (waiting) {
                final Waiter waiter = waiting.get(requestId);
                if (waiter != null) {
                    waiter.deadlineNanos = System.nanoTime() + STILL_RUNNING_MAX_NANOS;
                }
            }
            return;
        }
        final Waiter waiter = remove(requestId);
        if (waiter == null) {
            return; // proposed by another member or an earlier run, or already timed out
        }
        if (outcome instanceof RuntimeException refused) {
            waiter.completeExceptionally(refused);
        } else {
            waiter.complete(outcome);
        }
    }

    void fail(final long requestId, final EtcdError error) {
        fail(remove(requestId), error);
    }

    private void fail(final Waiter waiter, final EtcdError error) {
        if (waiter != null) {
            failures.incrementAndGet();
            waiter.completeExceptionally(new EtcdException(error));
        }
    }

    /** Calls waiting now. */
    int size() {
        synchronized (waiting) {
            return waiting.size();
        }
    }

    /** Calls answered with an error so far (not with a refusal the state machine decided: that is an outcome). */
    long failures() {
        return failures.get();
    }

    /** Answers every waiting call with {@code error} (the member stops). */
    void failAll(final EtcdError error) {
        final List<Waiter> all;
        synchronized (waiting) {
            all = new ArrayList<>(waiting.values());
            waiting.clear();
        }
        for (final Waiter waiter : all) {
            fail(waiter, error);
        }
    }

    private void sweepLoop() {
        while (!closed) {
            LockSupport.parkNanos(this, SWEEP_EVERY_NANOS);
            final long now = System.nanoTime();
            List<Waiter> expired = null;
            synchronized (waiting) {
                for (final Long2ObjectHashMap<Waiter>.EntryIterator it = waiting.entrySet().iterator(); it.hasNext(); ) {
                    it.next();
                    final Waiter waiter = it.getValue();
                    if (now - waiter.deadlineNanos >= 0) {
                        it.remove();
                        expired = expired == null ? new ArrayList<>() : expired;
                        expired.add(waiter);
                    }
                }
            }
            if (expired != null) {
                for (final Waiter waiter : expired) {
                    fail(waiter, EtcdError.TIMEOUT);
                }
            }
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
