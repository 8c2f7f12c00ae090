package io.cairn.engine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.RangeResponse;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerStreamTracer;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gRPC server's counters count each call and leave the client library's timer thread unstarted. */
class GrpcServerMetricsTest {
    private static final int CALLS = 3;

    @Test
    void countsCallsWithoutStartingThePrometheusTimer() throws Exception {
        final PrometheusRegistry registry = new PrometheusRegistry();
        final GrpcServerMetrics metrics = new GrpcServerMetrics(registry);
        final String name = "grpc-server-metrics-" + System.nanoTime();
        final KVGrpc.KVImplBase kv = new KVGrpc.KVImplBase() {
            @Override
            public void range(final RangeRequest request, final StreamObserver<RangeResponse> answer) {
                answer.onNext(RangeResponse.getDefaultInstance());
                answer.onCompleted();
            }
        };
        final Server server = InProcessServerBuilder.forName(name).directExecutor()
            .addService(ServerInterceptors.intercept(kv, metrics)).build().start();
        final ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        try {
            final ServerStreamTracer wireBytes = metrics.byteCounter()
                .newServerStreamTracer(KVGrpc.getRangeMethod().getFullMethodName(), new Metadata());
            for (int i = 0; i < CALLS; i++) {
                KVGrpc.newBlockingStub(channel).range(RangeRequest.getDefaultInstance());
                wireBytes.inboundWireSize(10);
                wireBytes.outboundWireSize(20);
            }
        } finally {
            channel.shutdownNow();
            server.shutdownNow();
        }
        assertEquals(CALLS, rangeCount(registry, "grpc_server_started"));
        assertEquals(CALLS, rangeCount(registry, "grpc_server_handled"));
        assertEquals(CALLS, rangeCount(registry, "grpc_server_msg_received"));
        assertEquals(CALLS, rangeCount(registry, "grpc_server_msg_sent"));
        // A counter that samples exemplars schedules a task per series each time it takes one, and the
        // client library starts its timer thread for the first: nothing else in a member uses it.
        assertEquals(List.of(), prometheusTimerThreads(), "the Prometheus client's timer thread runs");
    }

    /** The Range series of counter {@code name} (OK only, for the handled counter), summed. */
    private static double rangeCount(final PrometheusRegistry registry, final String name) {
        double sum = 0;
        for (final MetricSnapshot snapshot : registry.scrape()) {
            if (!snapshot.getMetadata().getName().equals(name)) {
                continue;
            }
            for (final CounterSnapshot.CounterDataPointSnapshot point : ((CounterSnapshot) snapshot).getDataPoints()) {
                final String code = point.getLabels().get("grpc_code");
                if ("Range".equals(point.getLabels().get("grpc_method")) && (code == null || code.equals("OK"))) {
                    sum += point.getValue();
                }
            }
        }
        return sum;
    }

    /** Live threads of the Prometheus client's timer (its executor starts one at its first task). */
    private static List<String> prometheusTimerThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
            .filter(name -> name.startsWith("prometheus-metrics-scheduler")).toList();
    }
}
