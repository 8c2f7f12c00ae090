package io.cairn.engine.server;

import io.cairn.engine.api.EtcdException;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** Completes a unary call with the handler's response or with the status its failure maps to. */
final class GrpcCalls {
    private static final System.Logger LOG = System.getLogger(GrpcCalls.class.getName());

    private GrpcCalls() {
    }

    static <T> void respond(final StreamObserver<T> observer, final Supplier<T> handler) {
        final T response;
        try {
            response = handler.get();
        } catch (final EtcdException e) {
            observer.onError(e.error().toException());
            return;
        } catch (final IllegalArgumentException e) {
            observer.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (final RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "request failed", e);
            observer.onError(Status.INTERNAL.withDescription("cairn: internal error: " + e).asRuntimeException());
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }
}
