package io.cairn.engine.server;

import io.cairn.engine.node.KeyValueStore;
import com.google.protobuf.ByteString;
import io.cairn.engine.auth.AuthInfo;
import io.cairn.engine.mvcc.KeyRange;
import io.cairn.engine.mvcc.KeyValue;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.etcd.api.v3lockpb.LockGrpc;
import io.cairn.etcd.api.v3lockpb.LockRequest;
import io.cairn.etcd.api.v3lockpb.LockResponse;
import io.cairn.etcd.api.v3lockpb.UnlockRequest;
import io.cairn.etcd.api.v3lockpb.UnlockResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * etcd's v3lock service: clientv3/concurrency's Mutex run inside the server. The lock key is
 * {@code name/<lease hex>}; the holder is the oldest key under {@code name/}; a waiter waits for
 * the keys created before its own to go. A waiter whose call is cancelled deletes its key.
 */
public final class LockService extends LockGrpc.LockImplBase {
    private static final byte[] NO_VALUE = new byte[0];

    private final KeyValueStore store;
    private final ResponseHeaders headers;
    private final SessionKeys sessions;
    private final DeletionWaits waits;
    private final AccessChecks access;

    LockService(final KeyValueStore store, final ResponseHeaders headers, final Executor executor,
        final AccessChecks access) {
        this.store = store;
        this.access = access;
        this.headers = headers;
        this.sessions = new SessionKeys(store);
        this.waits = new DeletionWaits(store, executor);
    }

    @Override
    public void lock(final LockRequest request, final StreamObserver<LockResponse> observer) {
        final ServerCallStreamObserver<LockResponse> call = (ServerCallStreamObserver<LockResponse>)observer;
        final byte[] prefix = SessionKeys.prefix(request.getName().toByteArray());
        GrpcCalls.respondLater(observer, () -> GrpcCalls.recipe(() -> {
            final AuthInfo caller = access.caller();
            // What the recipe's Txn will need, checked before a session lease is granted for it.
            access.checkRecipe(caller, prefix, SessionKeys.sessionKey(prefix, request.getLease()));
            return lock(call, prefix, request.getLease(), caller);
        }));
    }

    private CompletableFuture<LockResponse> lock(final ServerCallStreamObserver<LockResponse> call, final byte[] prefix,
        final long requestedLease, final AuthInfo caller) {
        return GrpcCalls.withRecipeErrors(
            sessions.session(requestedLease).thenCompose(lease -> {
            final byte[] key = SessionKeys.sessionKey(prefix, lease);
            return sessions.createOrGet(prefix, key, NO_VALUE, lease, caller).thenCompose(created -> {
                final long myRevision = SessionKeys.createRevision(created);
                final KeyValue owner = SessionKeys.owner(created);
                if (owner == null || owner.createRevision() == myRevision) {
                    return CompletableFuture.completedFuture(response(created.revision(), key));
                }
                return waits.waitDeletes(prefix, myRevision - 1, call::isCancelled)
                    .thenApply(revision -> response(revision, key))
                    .whenComplete((response, failure) -> {
                        if (failure != null) {
                            store.deleteRange(new TxnOp.DeleteRange(KeyRange.of(key, new byte[0]), false), caller);
                        }
                    });
            });
        }));
    }

    @Override
    public void unlock(final UnlockRequest request, final StreamObserver<UnlockResponse> observer) {
        GrpcCalls.respondLater(observer, () -> GrpcCalls.recipe(() -> store.deleteRange(
                new TxnOp.DeleteRange(KeyRange.of(request.getKey().toByteArray(), new byte[0]), false), access.caller())
            .thenApply(deleted -> UnlockResponse.newBuilder().setHeader(headers.at(deleted.revision())).build())));
    }

    private LockResponse response(final long revision, final byte[] key) {
        return LockResponse.newBuilder().setHeader(headers.at(revision)).setKey(ByteString.copyFrom(key)).build();
    }
}
