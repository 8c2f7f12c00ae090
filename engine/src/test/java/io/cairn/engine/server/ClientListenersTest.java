package io.cairn.engine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.cairn.engine.Main;
import io.cairn.engine.config.ServerCommandLine;
import io.cairn.engine.config.ServerConfig;
import io.cairn.engine.node.RaftKeyValueStore;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.PutResponse;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member's client and metrics ports listen before its data dir is open, as etcd's do: a gRPC
 * call and HTTP requests sent then wait, over real connections, and are answered once the member
 * serves.
 */
class ClientListenersTest {
    private static final long WAIT_SECONDS = 30;
    /** Long enough for a request that is not held to be answered (or refused) on this machine. */
    private static final long UNANSWERED_MILLIS = 300;

    @TempDir
    Path dir;

    @Test
    void requestsSentBeforeTheMemberServesAreAnsweredOnceItDoes() throws Exception {
        final int clientPort = ServerProcess.freePort();
        final int metricsPort = ServerProcess.freePort();
        final String url = "http://127.0.0.1:" + clientPort;
        final ServerConfig config = ((ServerCommandLine.Outcome.Run)ServerCommandLine.parse(List.of(
            "--data-dir", dir.resolve("data").toString(), "--listen-client-urls", url, "--advertise-client-urls", url,
            "--listen-metrics-urls", "http://127.0.0.1:" + metricsPort), Map.of(), "test", warning -> { })).config();
        final ClientListeners listeners = ClientListeners.bind(config, null);
        final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", clientPort).usePlaintext().build();
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        RaftKeyValueStore store = null;
        CairnServer server = null;
        try {
            final ListenableFuture<PutResponse> put = KVGrpc.newFutureStub(channel).put(PutRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8("early")).setValue(ByteString.copyFromUtf8("bird")).build());
            final CompletableFuture<HttpResponse<String>> health = http.sendAsync(HttpRequest.newBuilder(
                URI.create(url + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            final CompletableFuture<HttpResponse<String>> metrics = http.sendAsync(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (listeners.waitingCalls() == 0) {
                assertTrue(System.nanoTime() < deadline, "the put never reached the port");
                Thread.sleep(1);
            }
            Thread.sleep(UNANSWERED_MILLIS);
            assertFalse(put.isDone());
            assertFalse(health.isDone(), () -> "answered before the member served: " + health.join().body());
            assertFalse(metrics.isDone());

            store = RaftKeyValueStore.open(config.storage().dataDir(), config.storage().walDir(), Main.memberOptions(config));
            server = CairnServer.start(config, store, null, listeners);

            assertEquals(2, put.get(WAIT_SECONDS, TimeUnit.SECONDS).getHeader().getRevision());
            assertEquals("bird", KVGrpc.newBlockingStub(channel).range(RangeRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8("early")).build()).getKvs(0).getValue().toStringUtf8());
            assertEquals(200, health.get(WAIT_SECONDS, TimeUnit.SECONDS).statusCode());
            assertEquals("{\"health\":\"true\"}", health.join().body());
            assertEquals(200, metrics.get(WAIT_SECONDS, TimeUnit.SECONDS).statusCode());
            assertTrue(metrics.join().body().contains("etcd_server_has_leader 1"), metrics.join().body());
        } finally {
            channel.shutdownNow();
            if (server != null) {
                server.close();
            } else {
                listeners.servers().forEach(io.grpc.Server::shutdownNow);
            }
            if (store != null) {
                store.close();
            }
        }
    }
}
