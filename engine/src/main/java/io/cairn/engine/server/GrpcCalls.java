package io.cairn.engine.server;

import io.cairn.engine.api.EtcdException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
        } catch (final RuntimeException e) {
            fail(observer, e);
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }

    /**
     * As {@link #respond}, for a handler that checks synchronously and then hands back a future: the
     * answer is sent from whichever thread completes it (the member's apply thread for writes).
     */
    static <T> void respondLater(final StreamObserver<T> observer, final Supplier<CompletableFuture<T>> handler) {
        final CompletableFuture<T> response;
        try {
            response = handler.get();
        } catch (final RuntimeException e) {
            fail(observer, e);
            return;
        }
        response.whenComplete((value, failure) -> {
            if (failure != null) {
                fail(observer, failure);
            } else {
                observer.onNext(value);
                observer.onCompleted();
            }
        });
    }

    /**
     * etcd's lock and election services run clientv3 recipes inside the server and pass their
     * errors through as plain errors: the client sees etcd's text with code UNKNOWN.
     */
    static <T> CompletableFuture<T> withRecipeErrors(final CompletableFuture<T> outcome) {
        return outcome.exceptionallyCompose(failure -> {
            final Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
            return CompletableFuture.failedFuture(cause instanceof EtcdException e ? recipeError(e) : cause);
        });
    }

    /** A recipe's check made at once (a read permission), refusing as {@link #withRecipeErrors} does. */
    static void recipeCheck(final Runnable check) {
        try {
            check.run();
        } catch (final EtcdException refused) {
            throw recipeError(refused);
        }
    }

    private static StatusRuntimeException recipeError(final EtcdException refused) {
        return Status.UNKNOWN.withDescription(refused.error().message()).asRuntimeException();
    }

    /** {@link #withRecipeErrors} for a recipe whose first steps may refuse at once (its permission checks). */
    static <T> CompletableFuture<T> recipe(final Supplier<CompletableFuture<T>> body) {
        CompletableFuture<T> outcome;
        try {
            outcome = body.get();
        } catch (final EtcdException refused) {
            outcome = CompletableFuture.failedFuture(refused);
        }
        return withRecipeErrors(outcome);
    }

    /** Answers with the status {@code failure} maps to (a future's CompletionException unwrapped). */
    static void fail(final StreamObserver<?> observer, final Throwable outcome) {
        final Throwable failure = outcome instanceof CompletionException && outcome.getCause() != null
            ? outcome.getCause() : outcome;
        switch (failure) {
            case EtcdException e -> observer.onError(GrpcErrors.toException(e.error()));
            case StatusRuntimeException e -> observer.onError(e);
            case IllegalArgumentException e ->
                observer.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            default -> {
                LOG.log(System.Logger.Level.ERROR, "request failed", failure);
                observer.onError(Status.INTERNAL.withDescription("cairn: internal error: " + failure)
                    .asRuntimeException());
            }
        }
    }
}
