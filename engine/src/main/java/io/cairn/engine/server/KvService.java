package io.cairn.engine.server;

import io.cairn.engine.node.KeyValueStore;
import java.util.concurrent.CompletableFuture;
import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.etcd.api.etcdserverpb.AlarmType;
import io.cairn.etcd.api.etcdserverpb.CompactionRequest;
import io.cairn.etcd.api.etcdserverpb.CompactionResponse;
import io.cairn.etcd.api.etcdserverpb.DeleteRangeRequest;
import io.cairn.etcd.api.etcdserverpb.DeleteRangeResponse;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.PutResponse;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.RangeResponse;
import io.cairn.etcd.api.etcdserverpb.TxnRequest;
import io.cairn.etcd.api.etcdserverpb.TxnResponse;
import io.cairn.engine.auth.AuthInfo;
import io.cairn.engine.auth.Permissions;
import io.cairn.engine.mvcc.KeyValue;
import io.cairn.engine.mvcc.OpResult;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.etcd.api.etcdserverpb.RequestOp;
import com.google.protobuf.MessageLite;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** etcd's KV service: checks a request as etcd does, runs it on the store, answers as etcd does. */
public final class KvService extends KVGrpc.KVImplBase {
    private final KeyValueStore store;
    private final ResponseHeaders headers;
    private final RequestSizeLimit sizeLimit;
    private final int maxTxnOps;
    private final BackendQuota quota;
    private final Alarms alarms;
    private final Executor scans;
    private final AnswerBudget answers;
    private final Callers callers;

    /**
     * {@code scans} runs Ranges over more than one key, their large answers within {@code answers};
     * everything else runs on the calling thread.
     */
    KvService(final KeyValueStore store, final ResponseHeaders headers, final RequestSizeLimit sizeLimit,
        final int maxTxnOps, final BackendQuota quota, final Alarms alarms, final Executor scans,
        final AnswerBudget answers, final Callers callers) {
        this.scans = scans;
        this.answers = answers;
        this.callers = callers;
        this.store = store;
        this.headers = headers;
        this.sizeLimit = sizeLimit;
        this.maxTxnOps = maxTxnOps;
        this.quota = quota;
        this.alarms = alarms;
    }

    private static final CompletableFuture<Void> READABLE = CompletableFuture.completedFuture(null);

    /**
     * A Range of one key runs on the event loop, a scan on the scan threads. A linearizable one (the
     * default) first waits for its ReadIndex batch unless it is ready at once (a sole voter): the
     * batch completes on the Raft loop or the apply thread, which must not read, so the read then
     * runs on the scan threads.
     */
    @Override
    public void range(final RangeRequest request, final StreamObserver<RangeResponse> observer) {
        final AuthInfo caller;
        try {
            caller = callers.current();
        } catch (final EtcdException refused) {
            GrpcCalls.fail(observer, refused);
            return;
        }
        final CompletableFuture<Void> readable = request.getSerializable() ? READABLE : store.linearizableRead();
        if (readable.isDone() && !readable.isCompletedExceptionally() && request.getRangeEnd().isEmpty()) {
            GrpcCalls.respond(observer, () -> rangeResponse(request, caller));
            return;
        }
        whenReadable(readable, observer, () -> rangeResponse(request, caller));
    }

    private RangeResponse rangeResponse(final RangeRequest request, final AuthInfo caller) {
        KvRequestChecks.checkRange(request);
        Permissions.checkRange(store.auth(), caller, request.getKey().toByteArray(), request.getRangeEnd().toByteArray());
        final RangeResponse response = KvProtos.rangeResponse(store.range(KvProtos.rangeQuery(request)));
        return response.toBuilder().setHeader(headers.complete(response.getHeader())).build();
    }

    /**
     * Once {@code readable} completes, runs {@code read} on the scan threads and answers within the
     * answer budget; or answers its failure.
     */
    private <T extends MessageLite> void whenReadable(final CompletableFuture<Void> readable,
        final StreamObserver<T> observer, final Supplier<T> read) {
        // Set while the call's first handler runs, as gRPC requires of close and cancel handlers.
        final AnswerBudget.Hold hold = observer instanceof ServerCallStreamObserver<T> call ? answers.holdFor(call) : null;
        readable.whenComplete((ready, failure) -> {
            if (failure != null) {
                GrpcCalls.fail(observer, failure);
                return;
            }
            try {
                scans.execute(() -> GrpcCalls.respond(observer, hold == null ? read : () -> hold.admit(read.get())));
            } catch (final EtcdException overloaded) {
                observer.onError(GrpcErrors.toException(overloaded.error()));
            }
        });
    }

    @Override
    public void put(final PutRequest request, final StreamObserver<PutResponse> observer) {
        GrpcCalls.respondLater(observer, () -> {
            checkSpace(BackendQuota.cost(request));
            KvRequestChecks.checkPut(request);
            sizeLimit.check(RaftRequestSize.PUT_FIELD, request);
            checkNotCapped(BackendQuota.cost(request));
            return store.put(KvProtos.put(request), callers.current()).thenApply(result -> {
                final PutResponse response = KvProtos.putResponse(result);
                return response.toBuilder().setHeader(headers.complete(response.getHeader())).build();
            });
        });
    }

    @Override
    public void deleteRange(final DeleteRangeRequest request, final StreamObserver<DeleteRangeResponse> observer) {
        GrpcCalls.respondLater(observer, () -> {
            KvRequestChecks.checkDeleteRange(request);
            sizeLimit.check(RaftRequestSize.DELETE_RANGE_FIELD, request);
            return store.deleteRange(KvProtos.deleteRange(request), callers.current()).thenApply(result -> {
                final DeleteRangeResponse response = KvProtos.deleteRangeResponse(result);
                return response.toBuilder().setHeader(headers.complete(response.getHeader())).build();
            });
        });
    }

    /**
     * etcd's rule: a Txn whose branches hold only Ranges does not go through the log; it waits for a
     * ReadIndex batch unless every Range is serializable, and then runs on the local tree. Its size
     * is not held against --max-request-bytes (no log entry is made), as in etcd.
     */
    @Override
    public void txn(final TxnRequest request, final StreamObserver<TxnResponse> observer) {
        if (isReadOnly(request)) {
            readOnlyTxn(request, observer);
            return;
        }
        GrpcCalls.respondLater(observer, () -> {
            checkSpace(BackendQuota.cost(request));
            KvRequestChecks.checkTxn(request, maxTxnOps);
            sizeLimit.check(RaftRequestSize.TXN_FIELD, request);
            checkNotCapped(BackendQuota.cost(request));
            return store.txn(KvProtos.txn(request), callers.current()).thenCompose(this::appliedTxnResponse);
        });
    }

    /**
     * A write Txn's answer. It completes on the thread that applied it (the Raft loop or the apply
     * thread), and the answer is built and serialised wherever its future completes: fine for a put's
     * few bytes, but a Txn whose ranges or previous values carry {@link AnswerBudget#SMALL_ANSWER_BYTES}
     * or more would hold every later write while megabytes are copied. Such an answer is built on a
     * scan thread. It is never refused: the Txn is applied, and a client told "too many requests"
     * would retry it. With every scan slot taken it is built here, as before.
     */
    private CompletableFuture<TxnResponse> appliedTxnResponse(final OpResult.Txn result) {
        if (carriedBytes(result) < AnswerBudget.SMALL_ANSWER_BYTES) {
            return CompletableFuture.completedFuture(txnResponse(result));
        }
        final CompletableFuture<TxnResponse> built = new CompletableFuture<>();
        try {
            scans.execute(() -> {
                try {
                    built.complete(txnResponse(result));
                } catch (final RuntimeException | Error e) {
                    built.completeExceptionally(e);
                }
            });
        } catch (final EtcdException | RejectedExecutionException everySlotTaken) {
            return CompletableFuture.completedFuture(txnResponse(result));
        }
        return built;
    }

    private TxnResponse txnResponse(final OpResult.Txn result) {
        final TxnResponse response = KvProtos.txnResponse(result);
        return response.toBuilder().setHeader(headers.complete(response.getHeader())).build();
    }

    /** The key and value bytes a result carries back: its ranges' keys and values, and previous values. */
    static long carriedBytes(final OpResult result) {
        return switch (result) {
            case OpResult.Range range -> carriedBytes(range.result().kvs());
            case OpResult.Put put -> put.prevKv() == null ? 0 : carriedBytes(put.prevKv());
            case OpResult.DeleteRange delete -> carriedBytes(delete.prevKvs());
            case OpResult.Txn txn -> {
                long bytes = 0;
                for (final OpResult nested : txn.responses()) {
                    bytes += carriedBytes(nested);
                }
                yield bytes;
            }
        };
    }

    private static long carriedBytes(final List<KeyValue> kvs) {
        long bytes = 0;
        for (final KeyValue kv : kvs) {
            bytes += carriedBytes(kv);
        }
        return bytes;
    }

    private static long carriedBytes(final KeyValue kv) {
        return kv.key().length + kv.value().length;
    }

    private void readOnlyTxn(final TxnRequest request, final StreamObserver<TxnResponse> observer) {
        final TxnOp.Txn txn;
        final AuthInfo caller;
        try {
            checkSpace(BackendQuota.cost(request));
            KvRequestChecks.checkTxn(request, maxTxnOps);
            txn = KvProtos.txn(request);
            caller = callers.current();
        } catch (final RuntimeException refused) {
            GrpcCalls.fail(observer, refused);
            return;
        }
        final CompletableFuture<Void> readable = isSerializable(request) ? READABLE : store.linearizableRead();
        whenReadable(readable, observer, () -> {
            Permissions.checkTxn(store.auth(), caller, txn);
            final TxnResponse response = KvProtos.txnResponse(store.readOnlyTxn(txn));
            return response.toBuilder().setHeader(headers.complete(response.getHeader())).build();
        });
    }

    /** etcd's isTxnReadonly: every operation of both branches is a Range. */
    private static boolean isReadOnly(final TxnRequest request) {
        return request.getSuccessList().stream().allMatch(RequestOp::hasRequestRange)
            && request.getFailureList().stream().allMatch(RequestOp::hasRequestRange);
    }

    /** etcd's isTxnSerializable: every operation of both branches is a serializable Range. */
    private static boolean isSerializable(final TxnRequest request) {
        return request.getSuccessList().stream().allMatch(op -> op.hasRequestRange() && op.getRequestRange().getSerializable())
            && request.getFailureList().stream().allMatch(op -> op.hasRequestRange() && op.getRequestRange().getSerializable());
    }

    @Override
    public void compact(final CompactionRequest request, final StreamObserver<CompactionResponse> observer) {
        // etcd 3.4 checks no permission on a compaction, but an invalid token still refuses it.
        GrpcCalls.respondLater(observer, () -> {
            callers.current();
            return store.compact(request.getRevision(), request.getPhysical())
                .thenApply(revision -> CompactionResponse.newBuilder().setHeader(headers.at(revision)).build());
        });
    }

    /** A write that would take the backend to its quota raises NOSPACE and is refused (etcd's order: first). */
    private void checkSpace(final long costBytes) {
        if (!quota.allows(store.backendSizeBytes(), costBytes)) {
            alarms.raiseNoSpace(headers.memberId());
            throw new EtcdException(EtcdError.NO_SPACE);
        }
    }

    /** While NOSPACE is raised, nothing that adds data is applied, even if it would fit. */
    private void checkNotCapped(final long costBytes) {
        if (costBytes > 0 && alarms.isRaised(AlarmType.NOSPACE)) {
            throw new EtcdException(EtcdError.NO_SPACE);
        }
    }
}
