package io.cairn.engine.server;

import io.cairn.engine.node.KeyValueStore;
import io.cairn.engine.mvcc.KeyRange;
import io.cairn.engine.mvcc.KeyValue;
import io.cairn.engine.mvcc.RangeQuery;
import io.cairn.engine.mvcc.RangeResult;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * clientv3/concurrency's waitDeletes, inside the server: waits until no key under a prefix was
 * created at or before a revision, one key at a time (the newest such key first, as etcd's recipe
 * does, so each waiter watches only its predecessor). Each check is a Range; between checks it
 * waits for the store's revision to move, never holding a thread.
 */
final class DeletionWaits {
    private final KeyValueStore store;
    private final Executor executor;

    /** {@code executor} runs the checks (not the apply thread that reports new revisions). */
    DeletionWaits(final KeyValueStore store, final Executor executor) {
        this.store = store;
        this.executor = executor;
    }

    /** Completes with the revision at which the last check found no such key. */
    CompletableFuture<Long> waitDeletes(final byte[] prefix, final long maxCreateRevision,
        final BooleanSupplier cancelled) {
        final RangeResult newest = store.range(new RangeQuery(PrefixRange.of(prefix), 1, 0,
            RangeQuery.SortOrder.DESCEND, RangeQuery.SortTarget.CREATE, false, false, 0, 0, 0, maxCreateRevision));
        if (newest.kvs().isEmpty()) {
            return CompletableFuture.completedFuture(newest.revision());
        }
        return waitDeleted(newest.kvs().getFirst(), newest.revision(), cancelled)
            .thenComposeAsync(deleted -> waitDeletes(prefix, maxCreateRevision, cancelled), executor);
    }

    /** Completes once {@code kv}'s key is gone, or was deleted and created again, after {@code revision}. */
    private CompletableFuture<Void> waitDeleted(final KeyValue kv, final long revision, final BooleanSupplier cancelled) {
        return store.revisionAfter(revision).thenComposeAsync(passed -> {
            if (cancelled.getAsBoolean()) {
                return CompletableFuture.failedFuture(Status.CANCELLED.withDescription("context canceled")
                    .asRuntimeException());
            }
            final RangeResult now = store.range(RangeQuery.of(KeyRange.of(kv.key(), new byte[0])));
            if (now.kvs().isEmpty() || now.kvs().getFirst().createRevision() != kv.createRevision()) {
                return CompletableFuture.completedFuture(null);
            }
            return waitDeleted(kv, now.revision(), cancelled);
        }, executor);
    }
}
