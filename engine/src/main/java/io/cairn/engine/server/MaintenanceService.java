package io.cairn.engine.server;

import io.cairn.engine.mvcc.KvHash;
import io.cairn.engine.node.KeyValueStore;
import io.cairn.engine.node.MemberStatus;
import io.cairn.etcd.api.etcdserverpb.AlarmMember;
import io.cairn.etcd.api.etcdserverpb.AlarmRequest;
import io.cairn.etcd.api.etcdserverpb.AlarmResponse;
import io.cairn.etcd.api.etcdserverpb.AlarmType;
import io.cairn.etcd.api.etcdserverpb.DefragmentRequest;
import io.cairn.etcd.api.etcdserverpb.DefragmentResponse;
import io.cairn.etcd.api.etcdserverpb.HashKVRequest;
import io.cairn.etcd.api.etcdserverpb.HashRequest;
import io.cairn.etcd.api.etcdserverpb.HashResponse;
import io.cairn.etcd.api.etcdserverpb.HashKVResponse;
import io.cairn.etcd.api.etcdserverpb.MaintenanceGrpc;
import io.cairn.etcd.api.etcdserverpb.MoveLeaderRequest;
import io.cairn.etcd.api.etcdserverpb.MoveLeaderResponse;
import io.cairn.etcd.api.etcdserverpb.SnapshotRequest;
import io.cairn.etcd.api.etcdserverpb.SnapshotResponse;
import io.cairn.etcd.api.etcdserverpb.StatusRequest;
import io.cairn.etcd.api.etcdserverpb.StatusResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/** etcd's Maintenance service: Status, Alarm, Defragment, Hash, HashKV, Snapshot and MoveLeader. */
public final class MaintenanceService extends MaintenanceGrpc.MaintenanceImplBase {
    /** The etcd release whose API and behaviour Cairn reproduces; clients gate features on it. */
    public static final String ETCD_API_VERSION = io.cairn.engine.api.EtcdVersions.SERVER;

    private final KeyValueStore store;
    private final ResponseHeaders headers;
    private final Alarms alarms;
    private final AccessChecks access;

    MaintenanceService(final KeyValueStore store, final ResponseHeaders headers, final Alarms alarms,
        final AccessChecks access) {
        this.store = store;
        this.access = access;
        this.headers = headers;
        this.alarms = alarms;
    }

    /** GET reads the applied alarms; ACTIVATE and DEACTIVATE go through the log. etcd fills no header here. */
    @Override
    public void alarm(final AlarmRequest request, final StreamObserver<AlarmResponse> observer) {
        try {
            access.checkMaintenanceToken(); // no permission is needed, but an invalid token refuses it
        } catch (final RuntimeException refused) {
            GrpcCalls.fail(observer, refused);
            return;
        }
        switch (request.getAction()) {
            case ACTIVATE, DEACTIVATE -> GrpcCalls.respondLater(observer, () -> {
                return alarms.change(request.getAction() == AlarmRequest.AlarmAction.ACTIVATE, request.getMemberID(),
                        request.getAlarm())
                    .thenApply(changed -> {
                        final AlarmResponse.Builder response = AlarmResponse.newBuilder();
                        changed.ifPresent(response::addAlarms);
                        return response.build();
                    });
            });
            case GET -> GrpcCalls.respondLater(observer, () -> alarms.getLinearizable(request.getAlarm())
                .thenApply(raised -> AlarmResponse.newBuilder().addAllAlarms(raised).build()));
            case UNRECOGNIZED -> GrpcCalls.respond(observer, AlarmResponse::getDefaultInstance);
        }
    }

    /**
     * Rewrites this member's backend compactly; writes go on meanwhile (etcd blocks them). etcd 3.4
     * answers with an empty response, no header.
     */
    @Override
    public void defragment(final DefragmentRequest request, final StreamObserver<DefragmentResponse> observer) {
        GrpcCalls.respondLater(observer, () -> {
            access.checkMaintenanceAdmin();
            return store.defragment().thenApply(done -> DefragmentResponse.getDefaultInstance());
        });
    }

    /** Hash of this member's whole backend, answered with the current revision, as etcd does. */
    @Override
    public void hash(final HashRequest request, final StreamObserver<HashResponse> observer) {
        GrpcCalls.respond(observer, () -> {
            access.checkMaintenanceAdmin();
            final KeyValueStore.BackendHashResult result = store.hashBackend();
            return HashResponse.newBuilder().setHeader(headers.at(result.revision())).setHash(result.hash()).build();
        });
    }

    /** HashKV of this member's store at the revision asked; the header has the current revision, as in etcd. */
    @Override
    public void hashKV(final HashKVRequest request, final StreamObserver<HashKVResponse> observer) {
        GrpcCalls.respond(observer, () -> {
            access.checkMaintenanceAdmin();
            final KvHash.Result result = store.hashKv(request.getRevision());
            return HashKVResponse.newBuilder().setHeader(headers.at(result.currentRevision()))
                .setHash(result.hash()).setCompactRevision(result.compactRevision()).build();
        });
    }

    @Override
    public void status(final StatusRequest request, final StreamObserver<StatusResponse> observer) {
        GrpcCalls.respond(observer, () -> {
            final MemberStatus status = store.status();
            return StatusResponse.newBuilder()
            .setHeader(headers.at(store.currentRevision()))
            .setVersion(ETCD_API_VERSION)
            .setLeader(status.leaderId())
            .setIsLearner(status.learner())
            .setRaftTerm(status.raftTerm())
            .setRaftIndex(status.raftIndex())
            .setRaftAppliedIndex(status.appliedIndex())
            .setDbSize(store.backendSizeBytes())
            .setDbSizeInUse(store.backendSizeInUseBytes())
            .addAllErrors(alarms.get(AlarmType.NONE).stream().map(MaintenanceService::describe).toList())
            .build();
        });
    }

    /** The backend file, streamed while writes go on (etcdctl snapshot save); see {@link SnapshotStreamer}. */
    @Override
    public void snapshot(final SnapshotRequest request, final StreamObserver<SnapshotResponse> observer) {
        try {
            access.checkMaintenanceAdmin();
        } catch (final RuntimeException refused) {
            GrpcCalls.fail(observer, refused);
            return;
        }
        SnapshotStreamer.start(store, (ServerCallStreamObserver<SnapshotResponse>)observer);
    }

    /** Leadership handed to another voter through Raft's transfer; answered by the new leader's term. */
    @Override
    public void moveLeader(final MoveLeaderRequest request, final StreamObserver<MoveLeaderResponse> observer) {
        GrpcCalls.respondLater(observer, () -> store.moveLeader(request.getTargetID()).thenApply(done ->
            MoveLeaderResponse.newBuilder().setHeader(headers.at(store.currentRevision())).build()));
    }

    /** An alarm as etcd prints it in Status errors (its protobuf text form). */
    private static String describe(final AlarmMember alarm) {
        return "memberID:" + Long.toUnsignedString(alarm.getMemberID()) + " alarm:" + alarm.getAlarm().name() + " ";
    }
}
