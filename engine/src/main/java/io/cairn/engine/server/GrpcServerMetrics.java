package io.cairn.engine.server;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gRPC server's figures under the names etcd exports (go-grpc-prometheus's
 * grpc_server_started_total, _handled_total, _msg_received_total, _msg_sent_total with the same
 * labels, and etcd's etcd_network_client_grpc_{received,sent}_bytes_total). Every method starts at
 * zero, as in etcd, so a rate over a method never called is 0 rather than absent.
 */
final class GrpcServerMetrics implements ServerInterceptor {
    private final Counter started;
    private final Counter handled;
    private final Counter received;
    private final Counter sent;
    private final Counter receivedBytes;
    private final Counter sentBytes;
    /**
     * Each method's series, looked up once: finding a series by its label values on every call cost
     * a label record, the bare method name's substring and a varargs array per count, four counts
     * per call (issue #21). Keyed by the full method name, whose hash the string keeps.
     */
    private final ConcurrentHashMap<String, MethodCounters> byMethod = new ConcurrentHashMap<>();
    /**
     * Status codes as Go spells them, by {@link Status.Code#ordinal()}: named once, not once per
     * method and code (850 names at every start, on its main thread, issue #21).
     */
    private static final String[] GO_NAMES = java.util.Arrays.stream(Status.Code.values())
        .map(GrpcServerMetrics::goName).toArray(String[]::new);

    GrpcServerMetrics(final PrometheusRegistry registry) {
        started = counter().name("grpc_server_started_total")
            .help("Total number of RPCs started on the server.")
            .labelNames("grpc_method", "grpc_service", "grpc_type").register(registry);
        handled = counter().name("grpc_server_handled_total")
            .help("Total number of RPCs completed on the server, regardless of success or failure.")
            .labelNames("grpc_code", "grpc_method", "grpc_service", "grpc_type").register(registry);
        received = counter().name("grpc_server_msg_received_total")
            .help("Total number of RPC stream messages received on the server.")
            .labelNames("grpc_method", "grpc_service", "grpc_type").register(registry);
        sent = counter().name("grpc_server_msg_sent_total")
            .help("Total number of gRPC stream messages sent by the server.")
            .labelNames("grpc_method", "grpc_service", "grpc_type").register(registry);
        receivedBytes = counter().name("etcd_network_client_grpc_received_bytes_total")
            .help("The total number of bytes received from grpc clients.").register(registry);
        sentBytes = counter().name("etcd_network_client_grpc_sent_bytes_total")
            .help("The total number of bytes sent to grpc clients.").register(registry);
    }

    /**
     * A counter without exemplars: one that samples them schedules a task on the client library's
     * timer thread after each sample it takes, which woke that thread about 25 times a second on a
     * member under a put load, and Cairn has no trace ids to put in them (issue #21).
     */
    private static Counter.Builder counter() {
        return Counter.builder().withoutExemplars();
    }

    /** Every method of these services at zero, for every status code. */
    void initialize(final List<ServerServiceDefinition> services) {
        for (final ServerServiceDefinition service : services) {
            for (final var method : service.getMethods()) {
                countersOf(method.getMethodDescriptor());
            }
        }
    }

    /** One method's series: made (at zero) at the first look, then found by name. */
    private MethodCounters countersOf(final MethodDescriptor<?, ?> descriptor) {
        final MethodCounters known = byMethod.get(descriptor.getFullMethodName());
        if (known != null) {
            return known;
        }
        final Labels labels = Labels.of(descriptor);
        final Status.Code[] codes = Status.Code.values();
        final CounterDataPoint[] handledByCode = new CounterDataPoint[codes.length];
        for (final Status.Code code : codes) {
            handledByCode[code.ordinal()] = handled.labelValues(GO_NAMES[code.ordinal()], labels.method, labels.service,
                labels.type);
        }
        final MethodCounters made = new MethodCounters(started.labelValues(labels.method, labels.service, labels.type),
            received.labelValues(labels.method, labels.service, labels.type),
            sent.labelValues(labels.method, labels.service, labels.type), handledByCode);
        final MethodCounters raced = byMethod.putIfAbsent(descriptor.getFullMethodName(), made);
        return raced != null ? raced : made;
    }

    /** A method's series in each counter; {@code handled} by {@link Status.Code#ordinal()}. */
    private record MethodCounters(CounterDataPoint started, CounterDataPoint received, CounterDataPoint sent,
                                  CounterDataPoint[] handled) {
    }

    /** Counts wire bytes in both directions, for every call: one tracer for all, since it keeps nothing per call. */
    ServerStreamTracer.Factory byteCounter() {
        final ServerStreamTracer wireBytes = new ServerStreamTracer() {
            @Override
            public void inboundWireSize(final long bytes) {
                receivedBytes.inc(bytes);
            }

            @Override
            public void outboundWireSize(final long bytes) {
                sentBytes.inc(bytes);
            }
        };
        return new ServerStreamTracer.Factory() {
            @Override
            public ServerStreamTracer newServerStreamTracer(final String fullMethodName, final Metadata headers) {
                return wireBytes;
            }
        };
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(final ServerCall<Q, R> call, final Metadata headers,
        final ServerCallHandler<Q, R> next) {
        final MethodCounters counters = countersOf(call.getMethodDescriptor());
        counters.started().inc();
        final ServerCall<Q, R> counted = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendMessage(final R message) {
                counters.sent().inc();
                super.sendMessage(message);
            }

            @Override
            public void close(final Status status, final Metadata trailers) {
                counters.handled()[status.getCode().ordinal()].inc();
                super.close(status, trailers);
            }
        };
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(counted, headers)) {
            @Override
            public void onMessage(final Q message) {
                counters.received().inc();
                super.onMessage(message);
            }
        };
    }

    private record Labels(String method, String service, String type) {
        static Labels of(final MethodDescriptor<?, ?> descriptor) {
            return new Labels(descriptor.getBareMethodName(), descriptor.getServiceName(), switch (descriptor.getType()) {
                case UNARY -> "unary";
                case CLIENT_STREAMING -> "client_stream";
                case SERVER_STREAMING -> "server_stream";
                case BIDI_STREAMING, UNKNOWN -> "bidi_stream";
            });
        }
    }

    /** A status code as Go's grpc spells it (codes.Code.String()): NOT_FOUND is NotFound, CANCELLED is Canceled. */
    static String goName(final Status.Code code) {
        if (code == Status.Code.CANCELLED) {
            return "Canceled";
        }
        if (code == Status.Code.OK) {
            return "OK";
        }
        final StringBuilder name = new StringBuilder();
        for (final String word : code.name().split("_")) {
            name.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
        }
        return name.toString();
    }
}
