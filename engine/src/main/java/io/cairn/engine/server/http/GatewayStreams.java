package io.cairn.engine.server.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.cairn.etcd.api.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.api.etcdserverpb.MaintenanceGrpc;
import io.cairn.etcd.api.etcdserverpb.WatchGrpc;
import io.cairn.etcd.api.v3electionpb.ElectionGrpc;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * etcd's JSON gateway for the streaming calls, as grpc-gateway v1 runs them: {@code /v3/watch},
 * {@code /v3/lease/keepalive}, {@code /v3/maintenance/snapshot}, {@code /v3/election/observe}. The
 * request body holds the call's request, or for watch and keepalive one or more requests one after
 * the other, sent before the client half-closes (a watch then goes on sending events until the HTTP
 * client goes away). Each response is one line, {@code {"result":{...}}}, in a chunked answer; an
 * error after the first line is a last line {@code {"error":{"grpc_code":..,"http_code":..,
 * "message":..,"http_status":..}}}, one before it also sets the HTTP status. The next response is
 * asked of gRPC only once the last line was written, so a slow HTTP client holds back the stream
 * (a snapshot is not read into memory).
 */
final class GatewayStreams {
    /** Where a streamed answer goes: the HTTP side. */
    interface Sink {
        /** The call failed at once (a request that does not parse): a plain gateway error answer. */
        void refuse(JsonGateway.Answer error);

        /** The answer's next line; {@code httpStatus} counts only for the first. Completes once written. */
        CompletableFuture<Void> line(int httpStatus, String json);

        /** The answer is complete. */
        void end();
    }

    private final ManagedChannel channel;
    private final Map<String, MethodDescriptor<?, ?>> routes = new HashMap<>();

    GatewayStreams(final ManagedChannel channel) {
        this.channel = channel;
        routes.put("watch", WatchGrpc.getWatchMethod());
        routes.put("lease/keepalive", LeaseGrpc.getLeaseKeepAliveMethod());
        routes.put("maintenance/snapshot", MaintenanceGrpc.getSnapshotMethod());
        routes.put("election/observe", ElectionGrpc.getObserveMethod());
    }

    /** The streaming method at {@code route} (the path after /v3/), or null. */
    MethodDescriptor<?, ?> method(final String route) {
        return routes.get(route);
    }

    /**
     * Starts the call with the request(s) in {@code body}; answers go to {@code sink}. Returns what
     * cancels the call (the HTTP client went away).
     */
    @SuppressWarnings("unchecked")
    <Q extends Message, R extends Message> Runnable start(final MethodDescriptor<?, ?> untyped, final String body,
        final String authorization,
        final Sink sink) {
        final MethodDescriptor<Q, R> method = (MethodDescriptor<Q, R>)untyped;
        final boolean clientStreams = method.getType() == MethodDescriptor.MethodType.BIDI_STREAMING
            || method.getType() == MethodDescriptor.MethodType.CLIENT_STREAMING;
        final List<Q> requests = new ArrayList<>();
        try {
            final List<String> values = clientStreams ? JsonText.topLevelValues(body) : List.of(body.isBlank() ? "{}" : body);
            for (final String json : values) {
                final Message.Builder builder = ((MethodDescriptor.PrototypeMarshaller<Q>)method.getRequestMarshaller())
                    .getMessagePrototype().newBuilderForType();
                JsonGateway.PARSER.merge(json, builder);
                requests.add((Q)builder.build());
            }
        } catch (final InvalidProtocolBufferException | IllegalArgumentException e) {
            // grpc-gateway decodes a stream's requests as the call runs: etcd answers Unknown; a
            // server-streaming call's one request before it: InvalidArgument.
            sink.refuse(JsonGateway.error((clientStreams ? Status.UNKNOWN : Status.INVALID_ARGUMENT)
                .withDescription(e.getMessage())));
            return () -> { };
        }
        final ClientCall<Q, R> call = JsonGateway.withAuthorization(channel, authorization)
            .newCall(method, CallOptions.DEFAULT);
        call.start(new ClientCall.Listener<>() {
            private boolean answered;

            @Override
            public void onMessage(final R response) {
                answered = true;
                final String line;
                try {
                    line = "{\"result\":" + JsonGateway.PRINTER.print(response) + "}";
                } catch (final InvalidProtocolBufferException e) {
                    call.cancel("cannot print a response", e);
                    return;
                }
                sink.line(200, line).whenComplete((written, failed) -> {
                    if (failed == null) {
                        call.request(1);
                    } else {
                        call.cancel("the HTTP client went away", failed);
                    }
                });
            }

            @Override
            public void onClose(final Status status, final Metadata trailers) {
                if (!status.isOk() && status.getCode() != Status.Code.CANCELLED) {
                    sink.line(answered ? 200 : JsonGateway.httpStatus(status.getCode()), errorLine(status));
                }
                sink.end();
            }
        }, new Metadata());
        call.request(1);
        for (final Q request : requests) {
            call.sendMessage(request);
        }
        call.halfClose();
        return () -> call.cancel("the HTTP client went away", null);
    }

    /** grpc-gateway v1's stream error chunk (fields at their defaults left out, as etcd prints them). */
    static String errorLine(final Status status) {
        final int http = JsonGateway.httpStatus(status.getCode());
        final StringBuilder json = new StringBuilder("{\"error\":{");
        if (status.getCode().value() != 0) {
            json.append("\"grpc_code\":").append(status.getCode().value()).append(',');
        }
        json.append("\"http_code\":").append(http);
        if (status.getDescription() != null && !status.getDescription().isEmpty()) {
            json.append(",\"message\":").append(JsonText.quoted(status.getDescription()));
        }
        json.append(",\"http_status\":").append(JsonText.quoted(
            io.grpc.netty.shaded.io.netty.handler.codec.http.HttpResponseStatus.valueOf(http).reasonPhrase()));
        return json.append("}}").toString();
    }
}
