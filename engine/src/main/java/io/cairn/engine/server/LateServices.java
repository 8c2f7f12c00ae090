package io.cairn.engine.server;

import io.grpc.HandlerRegistry;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The services of a client port that listens before the member can serve: etcd binds its client
 * port first and serves once ready, so a client that connects during a restart waits instead of
 * being refused (gRPC clients back off about a second after a refusal). A call that comes before
 * {@link #serve} waits and starts once the services exist; its connection and HTTP/2
 * set-up are done by then. Only the methods of the services named up front wait: any other is
 * unknown now and later (UNIMPLEMENTED).
 *
 * <p>What gRPC delivers to a waiting call (its messages, the end of its stream, "ready") is kept
 * and replayed in order once it starts; a call cancelled while it waits never starts. A waiting
 * stream's messages are held in memory, for as long as the member takes to open its data dir.
 */
public final class LateServices extends HandlerRegistry {
    private final Map<String, ServerMethodDefinition<?, ?>> waitingMethods = new HashMap<>();
    private final Set<WaitingCall<?>> waitingCalls = ConcurrentHashMap.newKeySet();
    /** Null until {@link #serve}. */
    private volatile Map<String, ServerMethodDefinition<?, ?>> served;

    /** Calls to the methods of {@code services} wait for {@link #serve}. */
    public LateServices(final List<ServiceDescriptor> services) {
        for (final ServiceDescriptor service : services) {
            for (final MethodDescriptor<?, ?> method : service.getMethods()) {
                waitingMethods.put(method.getFullMethodName(), waitingDefinition(method));
            }
        }
    }

    private <Q, R> ServerMethodDefinition<Q, R> waitingDefinition(final MethodDescriptor<Q, R> method) {
        return ServerMethodDefinition.create(method, (call, headers) -> waitFor(method.getFullMethodName(), call,
            headers));
    }

    @Override
    public ServerMethodDefinition<?, ?> lookupMethod(final String methodName, final String authority) {
        final Map<String, ServerMethodDefinition<?, ?>> now = served;
        return now != null ? now.get(methodName) : waitingMethods.get(methodName);
    }

    @Override
    public List<ServerServiceDefinition> getServices() {
        return List.of();
    }

    /**
     * Serves {@code services} from now on and starts the calls that waited for them; each must be
     * one of the services named to the constructor.
     */
    public void serve(final List<ServerServiceDefinition> services) {
        final Map<String, ServerMethodDefinition<?, ?>> methods = new HashMap<>();
        for (final ServerServiceDefinition service : services) {
            for (final ServerMethodDefinition<?, ?> method : service.getMethods()) {
                final String name = method.getMethodDescriptor().getFullMethodName();
                if (!waitingMethods.containsKey(name)) {
                    throw new IllegalArgumentException(name + " was not named when the port opened: a call to it"
                        + " before the member served would have been refused");
                }
                methods.put(name, method);
            }
        }
        served = Map.copyOf(methods);
        for (final WaitingCall<?> call : new ArrayList<>(waitingCalls)) {
            call.start();
        }
    }

    /** How many calls wait now (tests). */
    int waitingCalls() {
        return waitingCalls.size();
    }

    private <Q, R> ServerCall.Listener<Q> waitFor(final String methodName, final ServerCall<Q, R> call,
        final Metadata headers) {
        final WaitingCall<Q> waiting = new WaitingCall<>(methodName, call, headers);
        waitingCalls.add(waiting);
        // serve() may have drained the set between the lookup and the add: then start here.
        if (served != null) {
            waiting.start();
        }
        return waiting;
    }

    /**
     * A call that came before the services: gRPC's listener until they exist, then a pass-through to
     * the real handler's. Synchronized: gRPC calls a listener from the transport's thread, and
     * {@link #start} runs on the thread that called {@link #serve}.
     */
    private final class WaitingCall<Q> extends ServerCall.Listener<Q> {
        private final String methodName;
        private final ServerCall<Q, ?> call;
        private final Metadata headers;
        /** What came before the start ("ready", or the end of a stream without messages), in order. */
        private final List<Consumer<ServerCall.Listener<Q>>> early = new ArrayList<>(1);
        private ServerCall.Listener<Q> delegate;
        /** Cancelled or completed before the start: nothing to start. */
        private boolean ended;

        WaitingCall(final String methodName, final ServerCall<Q, ?> call, final Metadata headers) {
            this.methodName = methodName;
            this.call = call;
            this.headers = headers;
        }

        synchronized void start() {
            waitingCalls.remove(this);
            if (delegate != null || ended) {
                return;
            }
            final ServerMethodDefinition<?, ?> method = served.get(methodName);
            if (method == null) { // named up front, not served after all: as gRPC answers an unknown method
                ended = true;
                call.close(Status.UNIMPLEMENTED.withDescription("Method not found: " + methodName), new Metadata());
                return;
            }
            delegate = startServed(method, call, headers);
            early.forEach(event -> event.accept(delegate));
            early.clear();
        }

        @SuppressWarnings("unchecked")
        private static <Q, R> ServerCall.Listener<Q> startServed(final ServerMethodDefinition<?, ?> method,
            final ServerCall<Q, ?> call, final Metadata headers) {
            final ServerMethodDefinition<Q, R> typed = (ServerMethodDefinition<Q, R>)method;
            final ServerCallHandler<Q, R> handler = typed.getServerCallHandler();
            return handler.startCall((ServerCall<Q, R>)call, headers);
        }

        private void deliver(final Consumer<ServerCall.Listener<Q>> event) {
            if (delegate != null) {
                event.accept(delegate);
            } else {
                early.add(event);
            }
        }

        private void end(final Consumer<ServerCall.Listener<Q>> event) {
            if (delegate != null) {
                event.accept(delegate);
            } else {
                ended = true;
                waitingCalls.remove(this);
            }
        }

        @Override
        public synchronized void onMessage(final Q message) {
            deliver(listener -> listener.onMessage(message));
        }

        @Override
        public synchronized void onHalfClose() {
            deliver(ServerCall.Listener::onHalfClose);
        }

        @Override
        public synchronized void onReady() {
            deliver(ServerCall.Listener::onReady);
        }

        @Override
        public synchronized void onCancel() {
            end(ServerCall.Listener::onCancel);
        }

        @Override
        public synchronized void onComplete() {
            end(ServerCall.Listener::onComplete);
        }
    }
}
