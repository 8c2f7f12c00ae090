package io.cairn.engine.server.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.cairn.etcd.api.etcdserverpb.AuthGrpc;
import io.cairn.etcd.api.etcdserverpb.ClusterGrpc;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.api.etcdserverpb.MaintenanceGrpc;
import io.cairn.etcd.api.v3electionpb.ElectionGrpc;
import io.cairn.etcd.api.v3lockpb.LockGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * etcd's JSON gateway (grpc-gateway); the unary calls here, the streaming ones in
 * {@link GatewayStreams}: `POST /v3/kv/put` with
 * `{"key":"Zm9v","value":"YmFy"}` runs KV.Put and answers its response as JSON, as etcd 3.4 does
 * (also under /v3beta/). Requests go to the member's own services over gRPC's in-process
 * transport, so a gateway call is checked and answered exactly as a gRPC call is. JSON is
 * protobuf's own mapping with etcd's choices: proto field names, 64-bit integers as strings, bytes
 * in base64, unknown fields ignored, fields at their default left out. An error is grpc-gateway's
 * {"error","message","code"} body with its HTTP status for the gRPC code.
 */
public final class JsonGateway {
    /** A gateway answer: HTTP status and JSON body. */
    public record Answer(int httpStatus, String json) {
    }

    static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
    static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames()
        .omittingInsignificantWhitespace();
    private static final String[] PREFIXES = {"/v3/", "/v3beta/"};

    private final ManagedChannel channel;
    private final Map<String, MethodDescriptor<?, ?>> routes = new HashMap<>();
    private final GatewayStreams streams;

    /** {@code channel}: to the member's own services (in-process). */
    public JsonGateway(final ManagedChannel channel) {
        this.channel = channel;
        this.streams = new GatewayStreams(channel);
        route("kv/range", KVGrpc.getRangeMethod());
        route("kv/put", KVGrpc.getPutMethod());
        route("kv/deleterange", KVGrpc.getDeleteRangeMethod());
        route("kv/txn", KVGrpc.getTxnMethod());
        route("kv/compaction", KVGrpc.getCompactMethod());
        route("lease/grant", LeaseGrpc.getLeaseGrantMethod());
        route("lease/revoke", LeaseGrpc.getLeaseRevokeMethod());
        route("kv/lease/revoke", LeaseGrpc.getLeaseRevokeMethod());
        route("lease/timetolive", LeaseGrpc.getLeaseTimeToLiveMethod());
        route("kv/lease/timetolive", LeaseGrpc.getLeaseTimeToLiveMethod());
        route("lease/leases", LeaseGrpc.getLeaseLeasesMethod());
        route("kv/lease/leases", LeaseGrpc.getLeaseLeasesMethod());
        route("cluster/member/list", ClusterGrpc.getMemberListMethod());
        route("cluster/member/add", ClusterGrpc.getMemberAddMethod());
        route("cluster/member/remove", ClusterGrpc.getMemberRemoveMethod());
        route("cluster/member/update", ClusterGrpc.getMemberUpdateMethod());
        route("cluster/member/promote", ClusterGrpc.getMemberPromoteMethod());
        route("maintenance/alarm", MaintenanceGrpc.getAlarmMethod());
        route("maintenance/status", MaintenanceGrpc.getStatusMethod());
        route("maintenance/defragment", MaintenanceGrpc.getDefragmentMethod());
        route("maintenance/hash", MaintenanceGrpc.getHashMethod());
        route("maintenance/transfer-leadership", MaintenanceGrpc.getMoveLeaderMethod());
        route("lock/lock", LockGrpc.getLockMethod());
        route("lock/unlock", LockGrpc.getUnlockMethod());
        route("election/campaign", ElectionGrpc.getCampaignMethod());
        route("election/proclaim", ElectionGrpc.getProclaimMethod());
        route("election/leader", ElectionGrpc.getLeaderMethod());
        route("election/resign", ElectionGrpc.getResignMethod());
        route("auth/enable", AuthGrpc.getAuthEnableMethod());
        route("auth/disable", AuthGrpc.getAuthDisableMethod());
        route("auth/authenticate", AuthGrpc.getAuthenticateMethod());
        route("auth/user/add", AuthGrpc.getUserAddMethod());
        route("auth/user/get", AuthGrpc.getUserGetMethod());
        route("auth/user/list", AuthGrpc.getUserListMethod());
        route("auth/user/delete", AuthGrpc.getUserDeleteMethod());
        route("auth/user/changepw", AuthGrpc.getUserChangePasswordMethod());
        route("auth/user/grant", AuthGrpc.getUserGrantRoleMethod());
        route("auth/user/revoke", AuthGrpc.getUserRevokeRoleMethod());
        route("auth/role/add", AuthGrpc.getRoleAddMethod());
        route("auth/role/get", AuthGrpc.getRoleGetMethod());
        route("auth/role/list", AuthGrpc.getRoleListMethod());
        route("auth/role/delete", AuthGrpc.getRoleDeleteMethod());
        route("auth/role/grant", AuthGrpc.getRoleGrantPermissionMethod());
        route("auth/role/revoke", AuthGrpc.getRoleRevokePermissionMethod());
    }

    private void route(final String path, final MethodDescriptor<?, ?> method) {
        routes.put(path, method);
    }

    /** Whether {@code path} is a gateway call (else the caller answers 404). */
    public boolean handles(final String path) {
        return method(path) != null || isStream(path);
    }

    /** Whether {@code path} is a streaming call (answered with {@link #stream}). */
    public boolean isStream(final String path) {
        final String route = route(path);
        return route != null && streams.method(route) != null;
    }

    /** Starts the streaming call {@code path} names; returns what cancels it. */
    public Runnable stream(final String path, final String body, final String authorization,
        final GatewayStreams.Sink sink) {
        return streams.start(streams.method(route(path)), body, authorization, sink);
    }

    /**
     * The channel as a call with the HTTP request's Authorization header (etcd's token, as etcd's
     * grpc-gateway forwards it) sees it: that header as the call's "authorization" metadata.
     */
    static Channel withAuthorization(final Channel channel, final String authorization) {
        if (authorization == null || authorization.isEmpty()) {
            return channel;
        }
        final Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
        return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private MethodDescriptor<?, ?> method(final String path) {
        final String route = route(path);
        return route == null ? null : routes.get(route);
    }

    /** The path after /v3/ or /v3beta/, or null. */
    private static String route(final String path) {
        for (final String prefix : PREFIXES) {
            if (path.startsWith(prefix)) {
                return path.substring(prefix.length());
            }
        }
        return null;
    }

    /** Runs the call {@code path} names with {@code json} as its request; completes with the answer. */
    public CompletableFuture<Answer> call(final String path, final String json, final String authorization) {
        return call(method(path), json, authorization);
    }

    @SuppressWarnings("unchecked")
    private <Q extends Message, R extends Message> CompletableFuture<Answer> call(final MethodDescriptor<?, ?> untyped,
        final String json, final String authorization) {
        final MethodDescriptor<Q, R> method = (MethodDescriptor<Q, R>)untyped;
        final Q request;
        try {
            final Message.Builder builder = ((MethodDescriptor.PrototypeMarshaller<Q>)method.getRequestMarshaller())
                .getMessagePrototype().newBuilderForType();
            PARSER.merge(json.isBlank() ? "{}" : json, builder);
            request = (Q)builder.build();
        } catch (final InvalidProtocolBufferException e) {
            return CompletableFuture.completedFuture(error(Status.INVALID_ARGUMENT.withDescription(e.getMessage())));
        }
        final CompletableFuture<Answer> answer = new CompletableFuture<>();
        ClientCalls.asyncUnaryCall(withAuthorization(channel, authorization).newCall(method, CallOptions.DEFAULT), request, new StreamObserver<R>() {
            @Override
            public void onNext(final R response) {
                try {
                    answer.complete(new Answer(200, PRINTER.print(response)));
                } catch (final InvalidProtocolBufferException e) {
                    answer.complete(error(Status.INTERNAL.withDescription(e.getMessage())));
                }
            }

            @Override
            public void onError(final Throwable failure) {
                answer.complete(error(Status.fromThrowable(failure)));
            }

            @Override
            public void onCompleted() {
                answer.complete(error(Status.INTERNAL.withDescription("no response")));
            }
        });
        return answer;
    }

    static Answer error(final Status status) {
        final String message = status.getDescription() == null ? "" : status.getDescription();
        final String text = JsonText.quoted(message);
        return new Answer(httpStatus(status.getCode()),
            "{\"error\":" + text + ",\"message\":" + text + ",\"code\":" + status.getCode().value() + "}");
    }

    /** grpc-gateway v1's mapping, as etcd 3.4 answers (FailedPrecondition is 412 there). */
    static int httpStatus(final Status.Code code) {
        return switch (code) {
            case OK -> 200;
            case CANCELLED -> 408;
            case UNKNOWN, INTERNAL, DATA_LOSS -> 500;
            case INVALID_ARGUMENT, OUT_OF_RANGE -> 400;
            case DEADLINE_EXCEEDED -> 504;
            case NOT_FOUND -> 404;
            case ALREADY_EXISTS, ABORTED -> 409;
            case PERMISSION_DENIED -> 403;
            case UNAUTHENTICATED -> 401;
            case RESOURCE_EXHAUSTED -> 429;
            case FAILED_PRECONDITION -> 412;
            case UNIMPLEMENTED -> 501;
            case UNAVAILABLE -> 503;
        };
    }

}
