package io.cairn.engine.server;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.node.KeyValueStore;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.StatusRequest;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * etcd 3.4's learner rule: a learner serves only Maintenance.Status and serializable Range; every
 * other unary call, and every stream, is refused with "rpc not supported for learner" (clients then
 * go to another member). Whether this member is a learner is read per call: a promotion takes
 * effect at once.
 */
final class LearnerRefusals implements ServerInterceptor {
    private final KeyValueStore store;

    LearnerRefusals(final KeyValueStore store) {
        this.store = store;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(final ServerCall<Q, A> call, final Metadata headers,
        final ServerCallHandler<Q, A> next) {
        if (!store.isLearner()) {
            return next.startCall(call, headers);
        }
        if (call.getMethodDescriptor().getType() != MethodDescriptor.MethodType.UNARY) {
            refuse(call);
            return new ServerCall.Listener<>() { };
        }
        final ServerCall.Listener<Q> delegate = next.startCall(call, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
            private boolean refused;

            @Override
            public void onMessage(final Q request) {
                if (supported(request)) {
                    super.onMessage(request);
                } else {
                    refused = true;
                    refuse(call);
                }
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    super.onHalfClose();
                }
            }
        };
    }

    private static boolean supported(final Object request) {
        return request instanceof StatusRequest || request instanceof RangeRequest range && range.getSerializable();
    }

    private static void refuse(final ServerCall<?, ?> call) {
        call.close(GrpcErrors.status(EtcdError.NOT_SUPPORTED_FOR_LEARNER), new Metadata());
    }
}
