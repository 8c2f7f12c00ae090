package io.cairn.engine.server;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.watch.StreamSink;
import io.cairn.engine.watch.WatchHub;
import io.cairn.engine.watch.WatchReply;
import io.cairn.engine.watch.WatchStream;
import io.cairn.etcd.api.etcdserverpb.WatchGrpc;
import io.cairn.etcd.api.etcdserverpb.WatchRequest;
import io.cairn.etcd.api.etcdserverpb.WatchResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.cairn.engine.watch.WatchOp;
import io.cairn.etcd.api.etcdserverpb.WatchCreateRequest;
import io.grpc.stub.StreamObserver;

/**
 * etcd's Watch service: each bidirectional stream is handed to the {@link WatchHub}, whose thread
 * answers it. The handlers here run on the event loop and only queue: a request (the stream asks
 * the client for one at a time, so the queue holds one), readiness, or the end of the call.
 * The hub speaks plain Java; {@link WatchProtos} translates its requests and replies.
 */
public final class WatchService extends WatchGrpc.WatchImplBase {
    private final WatchHub hub;
    private final WatchProtos protos;
    private final WatchPermissions permissions;

    /** @param headers fill each response's header (the hub's own {@link WatchProtos} only sizes them) */
    public WatchService(final WatchHub hub, final ResponseHeaders headers, final WatchPermissions permissions) {
        this.hub = hub;
        this.protos = new WatchProtos(headers);
        this.permissions = permissions;
    }

    /** Whether a create may watch its keys; the etcd text of the refusal, or null. */
    @FunctionalInterface
    public interface WatchPermissions {
        /** Every create may (auth left out: tests of the watch hub alone). */
        WatchPermissions NONE = create -> null;

        String refusal(WatchCreateRequest create);
    }

    @Override
    public StreamObserver<WatchRequest> watch(final StreamObserver<WatchResponse> responses) {
        final ServerCallStreamObserver<WatchResponse> call = (ServerCallStreamObserver<WatchResponse>)responses;
        call.disableAutoRequest();
        final WatchStream stream = hub.open(new GrpcSink(call, protos));
        call.setOnReadyHandler(() -> hub.ready(stream));
        call.setOnCancelHandler(() -> hub.closed(stream));
        call.request(1);
        return new StreamObserver<>() {
            @Override
            public void onNext(final WatchRequest request) {
                final String refusal = request.hasCreateRequest() ? permissions.refusal(request.getCreateRequest()) : null;
                hub.request(stream, refusal == null ? WatchProtos.op(request) : new WatchOp.Refuse(refusal));
            }

            @Override
            public void onError(final Throwable failure) {
                hub.closed(stream);
            }

            @Override
            public void onCompleted() {
                // etcd keeps sending events after the client half-closes; the call ends when it cancels.
            }
        };
    }

    /** The watch hub's side of one call; only the holder of the hub's lock calls it. */
    private record GrpcSink(ServerCallStreamObserver<WatchResponse> call, WatchProtos protos) implements StreamSink {
        @Override
        public boolean isReady() {
            return call.isReady();
        }

        @Override
        public boolean send(final WatchReply reply) {
            if (call.isCancelled()) {
                return false;
            }
            final WatchResponse response = protos.response(reply);
            try {
                call.onNext(response);
                return true;
            } catch (final RuntimeException cancelled) {
                return false; // the client went away between the check and the send
            }
        }

        @Override
        public void requestNext() {
            call.request(1);
        }

        @Override
        public void fail(final String message) {
            end(Status.INTERNAL.withDescription(message));
        }

        @Override
        public void stop() {
            try {
                call.onError(GrpcErrors.toException(EtcdError.STOPPED));
            } catch (final RuntimeException alreadyClosed) {
                // nothing left to tell
            }
        }

        private void end(final Status status) {
            try {
                call.onError(status.asRuntimeException());
            } catch (final RuntimeException alreadyClosed) {
                // nothing left to tell
            }
        }
    }
}
