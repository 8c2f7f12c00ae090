package io.cairn.engine.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cairn.engine.testing.ServerProcess;
import io.cairn.etcd.api.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseKeepAliveRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseKeepAliveResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A streamed gateway answer keeps its order whichever threads its parts come from. An answer's line
 * comes from the thread that finished the request (the apply thread), its end often from the
 * event loop (the half-close arrives there and, with every answer given, ends the call at once):
 * CI saw a keep-alive answer whose end was written before its head and line, so it never ended.
 */
class GatewayStreamOrderTest {
    /** Answers each keep-alive from another thread while the event loop waits, then ends on the half-close. */
    private static final class AnsweredElsewhere extends LeaseGrpc.LeaseImplBase {
        @Override
        public StreamObserver<LeaseKeepAliveRequest> leaseKeepAlive(final StreamObserver<LeaseKeepAliveResponse> observer) {
            return new StreamObserver<>() {
                @Override
                public void onNext(final LeaseKeepAliveRequest request) {
                    final Thread answer = Thread.ofPlatform().start(() ->
                        observer.onNext(LeaseKeepAliveResponse.newBuilder().setID(request.getID()).setTTL(60).build()));
                    try {
                        answer.join();
                    } catch (final InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }

                @Override
                public void onError(final Throwable failure) {
                }

                @Override
                public void onCompleted() {
                    observer.onCompleted();
                }
            };
        }
    }

    @Test
    void anAnswerEndedOnTheEventLoopEndsAfterItsLines() throws Exception {
        final String name = "gateway-order-" + System.nanoTime();
        final Server services = InProcessServerBuilder.forName(name).directExecutor()
            .addService(new AnsweredElsewhere()).build().start();
        final ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        final int port = ServerProcess.freePort();
        final HttpEndpoints endpoints = HttpEndpoints.clientPort(null, new PrometheusRegistry(), "3.4.23", "3.4.0",
            new JsonGateway(channel), 64 * 1024);
        final Server http = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port),
            HttpOrGrpcNegotiator.clientPort(endpoints)).directExecutor().build().start();
        try {
            for (int round = 0; round < 20; round++) {
                assertEquals("{\"result\":{\"ID\":\"7\",\"TTL\":\"60\"}}\n",
                    post("http://127.0.0.1:" + port + "/v3/lease/keepalive", "{\"ID\":\"7\"}"), "round " + round);
            }
        } finally {
            http.shutdownNow();
            channel.shutdownNow();
            services.shutdownNow();
        }
    }

    /** The whole answer; a read timeout if it never ends. */
    private static String post(final String url, final String body) throws Exception {
        final HttpURLConnection connection = JsonGatewayDifferentialIT.posted(url, body);
        assertEquals(200, connection.getResponseCode());
        try (InputStream in = connection.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
