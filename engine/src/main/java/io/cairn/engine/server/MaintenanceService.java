package io.cairn.engine.server;

import io.cairn.etcd.api.etcdserverpb.MaintenanceGrpc;
import io.cairn.etcd.api.etcdserverpb.StatusRequest;
import io.cairn.etcd.api.etcdserverpb.StatusResponse;
import io.grpc.stub.StreamObserver;

/** etcd's Maintenance service; Status only for now (the rest answer Unimplemented). */
public final class MaintenanceService extends MaintenanceGrpc.MaintenanceImplBase {
    /** The etcd release whose API and behaviour Cairn reproduces; clients gate features on it. */
    public static final String ETCD_API_VERSION = "3.4.23";

    private final KeyValueStore store;
    private final ResponseHeaders headers;

    public MaintenanceService(final KeyValueStore store, final ResponseHeaders headers) {
        this.store = store;
        this.headers = headers;
    }

    @Override
    public void status(final StatusRequest request, final StreamObserver<StatusResponse> observer) {
        GrpcCalls.respond(observer, () -> StatusResponse.newBuilder()
            .setHeader(headers.at(store.currentRevision()))
            .setVersion(ETCD_API_VERSION)
            .setLeader(headers.memberId())
            .setRaftTerm(headers.raftTerm())
            .build());
    }
}
