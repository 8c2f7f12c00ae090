package io.cairn.engine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.cairn.engine.Main;
import io.cairn.engine.config.ServerCommandLine;
import io.cairn.engine.config.ServerConfig;
import io.cairn.engine.config.ServerTls;
import io.cairn.engine.node.RaftKeyValueStore;
import io.cairn.engine.server.http.HttpOrGrpcNegotiator;
import io.cairn.engine.server.http.TlsTermination;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.TestCertificates;
import io.cairn.engine.testing.TlsClients;
import io.cairn.engine.tls.TlsContext;
import io.cairn.etcd.api.etcdserverpb.HashKVRequest;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.MaintenanceGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.StatusRequest;
import io.cairn.etcd.api.etcdserverpb.StatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One member in this JVM with https and http client URLs (etcd's flags: --cert-file, --key-file,
 * --trusted-ca-file, --client-cert-auth): gRPC and HTTP over TLS on one port, a client without a
 * trusted certificate refused at the handshake, plain and TLS connections on one address, an https
 * metrics URL, the CN of the client's certificate in a call's context, and the dialer the
 * corruption check uses.
 */
class ClientTlsTest {
    @TempDir
    static Path dir;
    private static TestCertificates ca;
    private static TestCertificates foreign;
    private static TestCertificates.CertAndKey root;
    private static RaftKeyValueStore store;
    private static CairnServer server;
    private static TlsContext clientTls;
    private static int httpsPort;
    private static int httpPort;
    private static int bothPort;
    private static int metricsPort;

    @BeforeAll
    static void start() throws Exception {
        ca = TestCertificates.newCa(dir.resolve("certs"), "ca");
        foreign = TestCertificates.newCa(dir.resolve("certs"), "foreign");
        root = ca.client("root");
        final TestCertificates.CertAndKey member = ca.server("member");
        httpsPort = ServerProcess.freePort();
        httpPort = ServerProcess.freePort();
        bothPort = ServerProcess.freePort();
        metricsPort = ServerProcess.freePort();
        final String https = "https://127.0.0.1:" + httpsPort;
        final ServerConfig config = ((ServerCommandLine.Outcome.Run) ServerCommandLine.parse(List.of(
            "--data-dir", dir.resolve("data").toString(),
            "--listen-client-urls", https + ",http://127.0.0.1:" + httpPort + ",https://127.0.0.1:" + bothPort
                + ",http://127.0.0.1:" + bothPort,
            "--advertise-client-urls", https,
            "--listen-metrics-urls", "https://127.0.0.1:" + metricsPort,
            "--cert-file", member.cert().toString(), "--key-file", member.key().toString(),
            "--trusted-ca-file", ca.caFile().toString(), "--client-cert-auth"), Map.of(), "test", warning -> { }))
            .config();
        store = RaftKeyValueStore.open(config.storage().dataDir(), config.storage().walDir(), Main.memberOptions(config));
        clientTls = ServerTls.client(config, Clock.systemUTC());
        server = CairnServer.start(config, store, clientTls);
        store.linearizableRead().get();
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
        store.close();
    }

    private static void putAndGet(final ManagedChannel channel, final String key) {
        try {
            final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
            kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8("v"))
                .build());
            assertEquals("v", kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).build())
                .getKvs(0).getValue().toStringUtf8());
        } finally {
            channel.shutdownNow();
        }
    }

    private static Status.Code refusal(final ManagedChannel channel) {
        try {
            return assertThrows(StatusRuntimeException.class, () -> putAndGet(channel, "refused")).getStatus().getCode();
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void grpcWithACertificateFromTheTrustedCaIsServed() throws IOException {
        putAndGet(TlsClients.channel(httpsPort, root, ca.caFile()), "tls");
        putAndGet(TlsClients.channel(bothPort, ca.client("alice"), ca.caFile()), "both-tls");
    }

    @Test
    void clientsWithoutATrustedCertificateAreRefusedAtTheHandshake() throws IOException {
        assertEquals(Status.Code.UNAVAILABLE, refusal(TlsClients.channel(httpsPort, null, ca.caFile())));
        assertEquals(Status.Code.UNAVAILABLE, refusal(TlsClients.channel(httpsPort, foreign.client("mallory"),
            ca.caFile())));
        // signed by the trusted CA, but not for client authentication (Go refuses it too)
        assertEquals(Status.Code.UNAVAILABLE, refusal(TlsClients.channel(httpsPort,
            ca.issue(ca.spec("server-only").serverOnly()), ca.caFile())));
        // the client does not trust the member's certificate
        assertEquals(Status.Code.UNAVAILABLE, refusal(TlsClients.channel(httpsPort, root, foreign.caFile())));
        // plain text to a TLS-only port
        assertEquals(Status.Code.UNAVAILABLE,
            refusal(NettyChannelBuilder.forAddress("127.0.0.1", httpsPort).usePlaintext().build()));
        putAndGet(TlsClients.channel(httpsPort, root, ca.caFile()), "still-served");
    }

    @Test
    void plainHttpUrlsServeBesideHttpsOnes() {
        putAndGet(NettyChannelBuilder.forAddress("127.0.0.1", httpPort).usePlaintext().build(), "plain");
        putAndGet(NettyChannelBuilder.forAddress("127.0.0.1", bothPort).usePlaintext().build(), "both-plain");
    }

    @Test
    void httpEndpointsAnswerOverTlsWhateverProtocolTheClientPrefers() throws Exception {
        final SSLContext trusted = TlsClients.sslContext(root, ca.caFile());
        for (final HttpClient.Version version : HttpClient.Version.values()) {
            final HttpClient http = HttpClient.newBuilder().sslContext(trusted).version(version).build();
            final HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + httpsPort + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("{\"health\":\"true\"}", health.body(), version.name());
            final HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + metricsPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(metrics.body().contains("etcd_server_has_leader 1"), metrics.body());
        }
        // etcd's JSON gateway over TLS
        final HttpResponse<String> put = HttpClient.newBuilder().sslContext(trusted).build().send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + httpsPort + "/v3/kv/put"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"Z3c=\",\"value\":\"MQ==\"}")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, put.statusCode(), put.body());
        assertTrue(put.body().startsWith("{\"header\":{"), put.body());
        final HttpClient anonymous = HttpClient.newBuilder().sslContext(TlsClients.sslContext(null, ca.caFile())).build();
        assertThrows(IOException.class, () -> anonymous.send(HttpRequest.newBuilder(
            URI.create("https://127.0.0.1:" + httpsPort + "/health")).build(), HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void otherMembersHttpsClientUrlsAreDialedWithThisMembersCertificate() {
        final ManagedChannel channel = new MemberChannels(clientTls).open(URI.create("https://127.0.0.1:" + httpsPort));
        try {
            MaintenanceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .hashKV(HashKVRequest.getDefaultInstance());
        } finally {
            channel.shutdownNow();
        }
    }

    /** A Status service that answers with the caller's CN as its version, behind the real TLS port handlers. */
    private static final class CommonNameEcho extends MaintenanceGrpc.MaintenanceImplBase {
        @Override
        public void status(final StatusRequest request, final StreamObserver<StatusResponse> response) {
            final String commonName = ClientCertificates.commonName();
            response.onNext(StatusResponse.newBuilder().setVersion(commonName == null ? "<none>" : commonName).build());
            response.onCompleted();
        }
    }

    @Test
    void theVerifiedCertificatesCommonNameReachesTheCall() throws Exception {
        final int port = ServerProcess.freePort();
        final Server echo = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port),
                HttpOrGrpcNegotiator.clientPort(CompletableFuture.completedFuture(null), new TlsTermination(clientTls), true))
            .directExecutor().addService(new CommonNameEcho()).intercept(new ClientCertificates()).build().start();
        try {
            assertEquals("root", statusVersion(TlsClients.channel(port, root, ca.caFile())));
            assertEquals("alice", statusVersion(TlsClients.channel(port, ca.client("alice"), ca.caFile())));
            assertEquals("<none>", statusVersion(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                .build()));
        } finally {
            echo.shutdownNow();
        }
    }

    private static String statusVersion(final ManagedChannel channel) {
        try {
            return MaintenanceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .status(StatusRequest.getDefaultInstance()).getVersion();
        } finally {
            channel.shutdownNow();
        }
    }
}
