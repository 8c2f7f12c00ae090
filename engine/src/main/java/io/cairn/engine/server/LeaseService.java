package io.cairn.engine.server;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.node.KeyValueStore;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import java.util.concurrent.CompletionException;
import com.google.protobuf.ByteString;
import io.cairn.engine.lease.Lessor;
import io.cairn.etcd.api.etcdserverpb.LeaseGrantRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseGrantResponse;
import io.cairn.etcd.api.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseKeepAliveRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseKeepAliveResponse;
import io.cairn.etcd.api.etcdserverpb.LeaseLeasesRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseLeasesResponse;
import io.cairn.etcd.api.etcdserverpb.LeaseRevokeRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseRevokeResponse;
import io.cairn.etcd.api.etcdserverpb.LeaseStatus;
import io.cairn.etcd.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.grpc.stub.StreamObserver;

/**
 * etcd's Lease service. Grant and revoke go through the log; keep-alives renew on this member
 * without it (etcd's leader does the same); TimeToLive and Leases read the lessor.
 */
public final class LeaseService extends LeaseGrpc.LeaseImplBase {
    private static final System.Logger LOG = System.getLogger(LeaseService.class.getName());

    private final KeyValueStore store;
    private final ResponseHeaders headers;

    private final AccessChecks access;

    LeaseService(final KeyValueStore store, final ResponseHeaders headers, final AccessChecks access) {
        this.access = access;
        this.store = store;
        this.headers = headers;
    }

    @Override
    public void leaseGrant(final LeaseGrantRequest request, final StreamObserver<LeaseGrantResponse> observer) {
        GrpcCalls.respondLater(observer, () -> {
            access.caller(); // no permission is needed, but an invalid token refuses it, as etcd's log requests
            return store.leaseGrant(request.getID(), request.getTTL())
                .thenApply(granted -> LeaseGrantResponse.newBuilder()
                    .setHeader(headers.at(store.currentRevision()))
                    .setID(granted.id()).setTTL(granted.ttlSeconds()).build());
        });
    }

    @Override
    public void leaseRevoke(final LeaseRevokeRequest request, final StreamObserver<LeaseRevokeResponse> observer) {
        GrpcCalls.respondLater(observer, () -> {
            // etcd checks the lease's keys when applying the revoke; here when taking it (the keys
            // attached meanwhile are the one difference: see auth/README.md).
            access.checkLeaseRevoke(access.caller(), request.getID());
            return store.leaseRevoke(request.getID())
                .thenApply(revision -> LeaseRevokeResponse.newBuilder().setHeader(headers.at(revision)).build());
        });
    }

    /** Each request renews its lease and is answered with the TTL, or TTL 0 for an unknown lease. */
    @Override
    public StreamObserver<LeaseKeepAliveRequest> leaseKeepAlive(final StreamObserver<LeaseKeepAliveResponse> observer) {
        // Answers come from the apply thread and a half-close from the transport's thread. They are run
        // one at a time, but never under a lock held while calling the observer: with the in-process
        // transport (the JSON gateway) a half-close holds the transport's lock while it waits for ours,
        // and an answer holding ours waits for the transport's.
        final SynchronizationContext serial = new SynchronizationContext((thread, failure) ->
            LOG.log(System.Logger.Level.ERROR, "keep-alive stream failed", failure));
        return new StreamObserver<>() {
            private boolean ended;
            /** Requests not answered yet: a half-close ends the stream only after their answers, as in etcd. */
            private int unanswered;
            private boolean halfClosed;

            @Override
            public void onNext(final LeaseKeepAliveRequest request) {
                serial.execute(() -> unanswered++);
                store.leaseRenew(request.getID()).whenComplete((ttl, failure) -> serial.execute(() -> answer(
                    request.getID(), ttl,
                    failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure)));
            }

            private void answer(final long id, final Long ttl, final Throwable failure) {
                unanswered--;
                if (ended) {
                    return;
                }
                if (failure == null || failure instanceof EtcdException e && e.error() == EtcdError.LEASE_NOT_FOUND) {
                    observer.onNext(LeaseKeepAliveResponse.newBuilder().setHeader(headers.at(store.currentRevision()))
                        .setID(id).setTTL(failure == null ? ttl : 0).build());
                } else {
                    ended = true; // etcd ends the stream on any other error (no leader, timeout, stopping)
                    observer.onError(failure instanceof EtcdException e ? GrpcErrors.toException(e.error())
                        : Status.INTERNAL.withDescription(String.valueOf(failure)).asRuntimeException());
                    return;
                }
                if (halfClosed && unanswered == 0) {
                    ended = true;
                    observer.onCompleted();
                }
            }

            @Override
            public void onError(final Throwable failure) {
                // The client went away; nothing is held for the stream.
            }

            @Override
            public void onCompleted() {
                serial.execute(() -> {
                    halfClosed = true;
                    if (!ended && unanswered == 0) {
                        ended = true;
                        observer.onCompleted();
                    }
                });
            }
        };
    }

    /**
     * An unknown lease is answered with TTL -1, not an error, as etcd does. The answer waits until this
     * member has applied what was committed when the request came ({@link KeyValueStore#leaseTimeToLive}),
     * as etcd's forwarding to the leader gives; the chaos harness's lease check caught the stale answer.
     */
    @Override
    public void leaseTimeToLive(final LeaseTimeToLiveRequest request,
        final StreamObserver<LeaseTimeToLiveResponse> observer) {
        store.leaseTimeToLive(request.getID()).whenComplete((ttl, failure) -> {
            if (failure != null) {
                GrpcCalls.fail(observer, failure);
            } else {
                GrpcCalls.respond(observer, () -> timeToLive(request, ttl));
            }
        });
    }

    private LeaseTimeToLiveResponse timeToLive(final LeaseTimeToLiveRequest request, final Lessor.TimeToLive ttl) {
        final LeaseTimeToLiveResponse.Builder response = LeaseTimeToLiveResponse.newBuilder()
            .setHeader(headers.at(store.currentRevision())).setID(request.getID());
        if (ttl == null) {
            return response.setTTL(-1).build();
        }
        response.setTTL(ttl.remainingSeconds()).setGrantedTTL(ttl.grantedSeconds());
        if (request.getKeys()) {
            for (final byte[] key : store.leaseKeys(request.getID())) {
                response.addKeys(ByteString.copyFrom(key));
            }
        }
        return response.build();
    }

    @Override
    public void leaseLeases(final LeaseLeasesRequest request, final StreamObserver<LeaseLeasesResponse> observer) {
        GrpcCalls.respond(observer, () -> {
            final LeaseLeasesResponse.Builder response = LeaseLeasesResponse.newBuilder()
                .setHeader(headers.at(store.currentRevision()));
            for (final long id : store.lessor().idsByExpiry()) {
                response.addLeases(LeaseStatus.newBuilder().setID(id));
            }
            return response.build();
        });
    }
}
