package io.cairn.engine.server;

import io.cairn.engine.node.KeyValueStore;
import com.google.protobuf.ByteString;
import io.cairn.engine.auth.AuthInfo;
import io.cairn.engine.mvcc.Compare;
import io.cairn.engine.mvcc.KeyRange;
import io.cairn.engine.mvcc.KeyValue;
import io.cairn.engine.mvcc.OpResult;
import io.cairn.engine.mvcc.RangeResult;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.etcd.api.v3electionpb.CampaignRequest;
import io.cairn.etcd.api.v3electionpb.CampaignResponse;
import io.cairn.etcd.api.v3electionpb.ElectionGrpc;
import io.cairn.etcd.api.v3electionpb.LeaderKey;
import io.cairn.etcd.api.v3electionpb.LeaderRequest;
import io.cairn.etcd.api.v3electionpb.LeaderResponse;
import io.cairn.etcd.api.v3electionpb.ProclaimRequest;
import io.cairn.etcd.api.v3electionpb.ProclaimResponse;
import io.cairn.etcd.api.v3electionpb.ResignRequest;
import io.cairn.etcd.api.v3electionpb.ResignResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * etcd's v3election service: clientv3/concurrency's Election run inside the server. A candidate's
 * key is {@code name/<lease hex>}; the leader is the oldest key under {@code name/}; a candidate
 * waits for the keys created before its own to go. Errors carry etcd's texts with gRPC code
 * UNKNOWN, as etcd's server passes the recipe's plain errors through.
 */
public final class ElectionService extends ElectionGrpc.ElectionImplBase {
    private static final String NOT_LEADER = "election: not leader";
    private static final String NO_LEADER = "election: no leader";
    private static final String MISSING_LEADER_KEY = "\"leader\" field must be provided";

    private final KeyValueStore store;
    private final ResponseHeaders headers;
    private final Executor executor;
    private final SessionKeys sessions;
    private final DeletionWaits waits;
    private final AccessChecks access;

    ElectionService(final KeyValueStore store, final ResponseHeaders headers, final Executor executor,
        final AccessChecks access) {
        this.store = store;
        this.access = access;
        this.headers = headers;
        this.executor = executor;
        this.sessions = new SessionKeys(store);
        this.waits = new DeletionWaits(store, executor);
    }

    @Override
    public void campaign(final CampaignRequest request, final StreamObserver<CampaignResponse> observer) {
        final ServerCallStreamObserver<CampaignResponse> call = (ServerCallStreamObserver<CampaignResponse>)observer;
        final byte[] prefix = SessionKeys.prefix(request.getName().toByteArray());
        final byte[] value = request.getValue().toByteArray();
        GrpcCalls.respondLater(observer, () -> GrpcCalls.recipe(() -> {
            final AuthInfo caller = access.caller();
            // What the recipe's Txn will need, checked before a session lease is granted for it.
            access.checkRecipe(caller, prefix, SessionKeys.sessionKey(prefix, request.getLease()));
            return campaign(call, request, prefix, value, caller);
        }));
    }

    private CompletableFuture<CampaignResponse> campaign(final ServerCallStreamObserver<CampaignResponse> call,
        final CampaignRequest request, final byte[] prefix, final byte[] value, final AuthInfo caller) {
        return GrpcCalls.withRecipeErrors(
            sessions.session(request.getLease()).thenCompose(lease -> {
            final byte[] key = SessionKeys.sessionKey(prefix, lease);
            return sessions.createOrGet(prefix, key, value, lease, caller).thenCompose(created -> {
                final long leaderRevision = SessionKeys.createRevision(created);
                final LeaderKey leader = LeaderKey.newBuilder().setName(request.getName())
                    .setKey(ByteString.copyFrom(key)).setRev(leaderRevision).setLease(lease).build();
                final CampaignResponse response = CampaignResponse.newBuilder()
                    .setHeader(headers.at(created.revision())).setLeader(leader).build();
                CompletableFuture<Void> ready = CompletableFuture.completedFuture(null);
                if (!created.succeeded() && !Arrays.equals(existingValue(created), value)) {
                    ready = proclaim(key, leaderRevision, value, caller).thenAccept(header -> { });
                }
                return ready.thenCompose(proclaimed -> waits.waitDeletes(prefix, leaderRevision - 1, call::isCancelled))
                    .thenApply(revision -> response)
                    .whenComplete((done, failure) -> {
                        if (failure != null) {
                            resign(key, leaderRevision, caller);
                        }
                    });
            });
        }));
    }

    @Override
    public void proclaim(final ProclaimRequest request, final StreamObserver<ProclaimResponse> observer) {
        GrpcCalls.respondLater(observer, () -> {
            final LeaderKey leader = requireLeader(request.hasLeader(), request.getLeader());
            return GrpcCalls.recipe(() -> {
                final AuthInfo caller = access.caller();
                return sessions.session(leader.getLease())
                    .thenCompose(lease -> proclaim(leader.getKey().toByteArray(), leader.getRev(),
                        request.getValue().toByteArray(), caller));
            }).thenApply(revision -> ProclaimResponse.newBuilder().setHeader(headers.at(revision)).build());
        });
    }

    @Override
    public void leader(final LeaderRequest request, final StreamObserver<LeaderResponse> observer) {
        GrpcCalls.respond(observer, () -> {
            final byte[] prefix = SessionKeys.prefix(request.getName().toByteArray());
            GrpcCalls.recipeCheck(() -> access.checkRead(access.caller(), prefix));
            final RangeResult leader = currentLeader(prefix);
            if (leader.kvs().isEmpty()) {
                throw Status.UNKNOWN.withDescription(NO_LEADER).asRuntimeException();
            }
            return LeaderResponse.newBuilder().setHeader(headers.at(leader.revision()))
                .setKv(KvProtos.keyValue(leader.kvs().getFirst())).build();
        });
    }

    /**
     * Sends the leader when there is one and again whenever the leader key changes (a new leader or
     * a proclaimed value); checks after each new revision. Changes within one check are seen as
     * the latest of them.
     */
    @Override
    public void observe(final LeaderRequest request, final StreamObserver<LeaderResponse> observer) {
        final ServerCallStreamObserver<LeaderResponse> call = (ServerCallStreamObserver<LeaderResponse>)observer;
        final byte[] prefix = SessionKeys.prefix(request.getName().toByteArray());
        try {
            GrpcCalls.recipeCheck(() -> access.checkRead(access.caller(), prefix));
        } catch (final RuntimeException refused) {
            GrpcCalls.fail(observer, refused);
            return;
        }
        observeFrom(prefix, call, null);
    }

    private void observeFrom(final byte[] prefix, final ServerCallStreamObserver<LeaderResponse> call,
        final KeyValue lastSent) {
        if (call.isCancelled()) {
            return;
        }
        final RangeResult leader = currentLeader(prefix);
        KeyValue sent = lastSent;
        if (!leader.kvs().isEmpty()) {
            final KeyValue now = leader.kvs().getFirst();
            if (lastSent == null || !Arrays.equals(now.key(), lastSent.key()) || now.modRevision() != lastSent.modRevision()) {
                call.onNext(LeaderResponse.newBuilder().setHeader(headers.at(leader.revision()))
                    .setKv(KvProtos.keyValue(now)).build());
                sent = now;
            }
        }
        final KeyValue latest = sent;
        store.revisionAfter(leader.revision()).thenRunAsync(() -> observeFrom(prefix, call, latest), executor);
    }

    @Override
    public void resign(final ResignRequest request, final StreamObserver<ResignResponse> observer) {
        GrpcCalls.respondLater(observer, () -> {
            final LeaderKey leader = requireLeader(request.hasLeader(), request.getLeader());
            return GrpcCalls.recipe(() -> {
                final AuthInfo caller = access.caller();
                return sessions.session(leader.getLease())
                    .thenCompose(lease -> resign(leader.getKey().toByteArray(), leader.getRev(), caller));
            }).thenApply(revision -> ResignResponse.newBuilder().setHeader(headers.at(revision)).build());
        });
    }

    /** Replaces the leader key's value if it is still the one created at {@code leaderRevision}. */
    private CompletableFuture<Long> proclaim(final byte[] key, final long leaderRevision, final byte[] value,
        final AuthInfo caller) {
        return store.txn(new TxnOp.Txn(List.of(createdAt(key, leaderRevision)),
                List.of(new TxnOp.Put(key, value, 0, false, false, true)), List.of()), caller)
            .thenApply(result -> {
                if (!result.succeeded()) {
                    throw Status.UNKNOWN.withDescription(NOT_LEADER).asRuntimeException();
                }
                return result.revision();
            });
    }

    /** Deletes the leader key if it is still the one created at {@code leaderRevision}. */
    private CompletableFuture<Long> resign(final byte[] key, final long leaderRevision, final AuthInfo caller) {
        return store.txn(new TxnOp.Txn(List.of(createdAt(key, leaderRevision)),
                List.of(new TxnOp.DeleteRange(KeyRange.of(key, new byte[0]), false)), List.of()), caller)
            .thenApply(OpResult.Txn::revision);
    }

    private RangeResult currentLeader(final byte[] prefix) {
        return store.range(SessionKeys.oldestUnder(prefix));
    }

    private static Compare createdAt(final byte[] key, final long revision) {
        return new Compare(KeyRange.of(key, new byte[0]), Compare.Target.CREATE, Compare.Result.EQUAL, revision,
            new byte[0]);
    }

    private static byte[] existingValue(final OpResult.Txn created) {
        return ((OpResult.Range)created.responses().getFirst()).result().kvs().getFirst().value();
    }

    private static LeaderKey requireLeader(final boolean present, final LeaderKey leader) {
        if (!present) {
            throw Status.UNKNOWN.withDescription(MISSING_LEADER_KEY).asRuntimeException();
        }
        return leader;
    }
}
