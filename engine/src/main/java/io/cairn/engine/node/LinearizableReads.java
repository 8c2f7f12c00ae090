package io.cairn.engine.node;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Linearizable reads, batched (etcd's linearizableReadLoop, Raft thesis §6.4): every read waiting
 * when the Raft loop looks joins one batch, the batch asks Raft for one ReadIndex (one heartbeat
 * round confirms leadership for all of them), and once the member has applied up to the index
 * the leader returned, every read in the batch may run on the local tree.
 *
 * <p>Threads: gRPC threads call {@link #await}; the Raft loop batches, issues and receives; the
 * apply thread reports what it applied. Each read is answered exactly once: ready, or failed with
 * etcd's error when leadership changed ("leader changed"), when no leader is known, or when its
 * deadline passed ("request timed out").
 */
final class LinearizableReads {
    /** A batch whose ReadIndex got no answer for this long is asked again (etcd retries every 500 ms). */
    static final long RETRY_NANOS = 500_000_000L;

    private static final class Batch {
        final List<CompletableFuture<Void>> reads;
        final long deadlineNanos;
        long context;
        long issuedNanos;
        long term;
        long index = -1;

        Batch(final List<CompletableFuture<Void>> reads, final long deadlineNanos) {
            this.reads = reads;
            this.deadlineNanos = deadlineNanos;
        }
    }

    private final ConcurrentLinkedQueue<CompletableFuture<Void>> waiting = new ConcurrentLinkedQueue<>();
    private final long timeoutNanos;
    // Guarded by this: batches asked of Raft, and batches whose index is known, waiting for apply.
    private final List<Batch> issued = new ArrayList<>();
    private final List<Batch> confirmed = new ArrayList<>();
    private long appliedIndex;
    // Raft loop only.
    private long nextContext = 1;

    LinearizableReads(final long timeoutNanos, final long appliedIndex) {
        this.timeoutNanos = timeoutNanos;
        this.appliedIndex = appliedIndex;
    }

    /** A read to be allowed once it is linearizable; the caller wakes the Raft loop. */
    CompletableFuture<Void> await() {
        final CompletableFuture<Void> read = new CompletableFuture<>();
        waiting.add(read);
        return read;
    }

    boolean hasWaiting() {
        return !waiting.isEmpty();
    }

    /**
     * Raft loop: takes every waiting read into a new batch and returns its ReadIndex context, or 0
     * when none waits.
     */
    synchronized long startBatch(final long nowNanos, final long term) {
        if (waiting.isEmpty()) {
            return 0;
        }
        final List<CompletableFuture<Void>> reads = new ArrayList<>();
        for (CompletableFuture<Void> read = waiting.poll(); read != null; read = waiting.poll()) {
            reads.add(read);
        }
        final Batch batch = new Batch(reads, nowNanos + timeoutNanos);
        reissue(batch, nowNanos, term);
        issued.add(batch);
        return batch.context;
    }

    private void reissue(final Batch batch, final long nowNanos, final long term) {
        batch.context = nextContext++;
        batch.issuedNanos = nowNanos;
        batch.term = term;
    }

    /** Raft loop: Raft could not take the batch's ReadIndex (no leader known): its reads fail now. */
    synchronized void refuse(final long context, final EtcdError error) {
        for (final Iterator<Batch> it = issued.iterator(); it.hasNext(); ) {
            final Batch batch = it.next();
            if (batch.context == context) {
                it.remove();
                fail(batch, error);
            }
        }
    }

    /** Raft loop: the leader answered a ReadIndex; the batch runs once applied reaches the index. */
    synchronized void confirmed(final long context, final long index) {
        for (final Iterator<Batch> it = issued.iterator(); it.hasNext(); ) {
            final Batch batch = it.next();
            if (batch.context == context) {
                it.remove();
                batch.index = index;
                if (index <= appliedIndex) {
                    allow(batch);
                } else {
                    confirmed.add(batch);
                }
                return;
            }
        }
        // An answer to a context asked again or already failed: nothing waits for it.
    }

    /** Apply thread: entries up to {@code index} are applied and visible to readers. */
    synchronized void applied(final long index) {
        appliedIndex = index;
        if (confirmed.isEmpty()) {
            return; // no reads waiting: no iterator per apply (issue #21)
        }
        for (final Iterator<Batch> it = confirmed.iterator(); it.hasNext(); ) {
            final Batch batch = it.next();
            if (batch.index <= index) {
                it.remove();
                allow(batch);
            }
        }
    }

    /**
     * Raft loop: batches whose answer is overdue are asked again under a new context (the request
     * or its answer was lost); those past their deadline fail; and if the term moved on since a
     * batch was asked, the leader that would have answered is gone: etcd answers "leader changed".
     * Returns the contexts to ask Raft for.
     */
    synchronized List<Long> sweep(final long nowNanos, final long term) {
        List<Long> again = List.of();
        for (final Iterator<Batch> it = issued.iterator(); it.hasNext(); ) {
            final Batch batch = it.next();
            if (nowNanos - batch.deadlineNanos >= 0) {
                it.remove();
                fail(batch, EtcdError.TIMEOUT);
            } else if (batch.term != term) {
                it.remove();
                fail(batch, EtcdError.LEADER_CHANGED);
            } else if (nowNanos - batch.issuedNanos >= RETRY_NANOS) {
                reissue(batch, nowNanos, term);
                if (again.isEmpty()) {
                    again = new ArrayList<>();
                }
                again.add(batch.context);
            }
        }
        for (final Iterator<Batch> it = confirmed.iterator(); it.hasNext(); ) {
            final Batch batch = it.next();
            if (nowNanos - batch.deadlineNanos >= 0) {
                it.remove();
                fail(batch, EtcdError.TIMEOUT);
            }
        }
        return again;
    }

    /** Every read still waiting fails with {@code error} (the member stops). */
    synchronized void failAll(final EtcdError error) {
        for (CompletableFuture<Void> read = waiting.poll(); read != null; read = waiting.poll()) {
            read.completeExceptionally(new EtcdException(error));
        }
        issued.forEach(batch -> fail(batch, error));
        confirmed.forEach(batch -> fail(batch, error));
        issued.clear();
        confirmed.clear();
    }

    private static void allow(final Batch batch) {
        batch.reads.forEach(read -> read.complete(null));
    }

    private static void fail(final Batch batch, final EtcdError error) {
        batch.reads.forEach(read -> read.completeExceptionally(new EtcdException(error)));
    }
}
