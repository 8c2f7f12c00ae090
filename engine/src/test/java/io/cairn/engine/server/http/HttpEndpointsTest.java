package io.cairn.engine.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.cairn.engine.Main;
import io.cairn.engine.config.ServerCommandLine;
import io.cairn.engine.config.ServerConfig;
import io.cairn.engine.node.RaftKeyValueStore;
import io.cairn.engine.server.CairnServer;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.etcd.api.etcdserverpb.AlarmRequest;
import io.cairn.etcd.api.etcdserverpb.AlarmType;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.MaintenanceGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP endpoints of one member in this JVM, through a real HTTP client and raw sockets: the
 * answers etcd 3.4 gives (the differential IT compares them with etcd's own), gRPC and HTTP on one
 * client port however the first bytes arrive, and /metrics under etcd's names, types and labels
 * (checked against the list taken from etcd 3.4.23's /metrics, a test resource).
 */
class HttpEndpointsTest {
    /** etcd 3.4.23 exports these as counters; Cairn as gauges, since the client library would append "_total". */
    private static final Map<String, String> TYPE_EXCEPTIONS = Map.of(
        "etcd_server_health_success", "gauge", "etcd_server_health_failures", "gauge");
    /** What etcd's dashboard and alert rules query, and the issue names: these must be there. */
    private static final List<String> REQUIRED = List.of("etcd_server_has_leader", "etcd_server_is_leader",
        "etcd_server_leader_changes_seen_total", "etcd_server_proposals_committed_total",
        "etcd_server_proposals_applied_total", "etcd_server_proposals_pending", "etcd_server_proposals_failed_total",
        "etcd_disk_wal_fsync_duration_seconds", "etcd_disk_backend_commit_duration_seconds",
        "etcd_mvcc_db_total_size_in_bytes", "etcd_mvcc_db_total_size_in_use_in_bytes",
        "etcd_server_quota_backend_bytes", "etcd_debugging_mvcc_db_total_size_in_bytes",
        "etcd_network_client_grpc_received_bytes_total", "etcd_network_client_grpc_sent_bytes_total",
        "grpc_server_started_total", "grpc_server_handled_total", "process_resident_memory_bytes",
        "process_cpu_seconds_total", "process_open_fds");

    @TempDir
    static Path dir;
    private static RaftKeyValueStore store;
    private static CairnServer server;
    private static ManagedChannel channel;
    private static int clientPort;
    private static int metricsPort;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        clientPort = ServerProcess.freePort();
        metricsPort = ServerProcess.freePort();
        final String url = "http://127.0.0.1:" + clientPort;
        final ServerConfig config = ((ServerCommandLine.Outcome.Run)ServerCommandLine.parse(List.of(
            "--data-dir", dir.resolve("data").toString(), "--listen-client-urls", url, "--advertise-client-urls", url,
            "--listen-metrics-urls", "http://127.0.0.1:" + metricsPort), Map.of(), "test", warning -> { })).config();
        store = RaftKeyValueStore.open(config.storage().dataDir(), config.storage().walDir(), Main.memberOptions(config));
        server = CairnServer.start(config, store);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", clientPort).usePlaintext().build();
        store.linearizableRead().get(); // a leader, and its first entry applied
    }

    @AfterAll
    static void stop() throws IOException {
        channel.shutdownNow();
        server.close();
        store.close();
    }

    @Test
    void healthVersionAndUnknownPathsAnswerAsEtcd() throws Exception {
        final HttpResponse<String> health = get(clientPort, "/health");
        assertEquals(200, health.statusCode());
        assertEquals("{\"health\":\"true\"}", health.body());
        assertEquals("text/plain; charset=utf-8", health.headers().firstValue("content-type").orElseThrow());
        assertEquals("*", health.headers().firstValue("access-control-allow-origin").orElseThrow());

        final HttpResponse<String> version = get(clientPort, "/version");
        assertEquals(200, version.statusCode());
        assertEquals("{\"etcdserver\":\"3.4.23\",\"etcdcluster\":\"3.4.0\"}", version.body());

        final HttpResponse<String> missing = get(clientPort, "/v2/keys");
        assertEquals(404, missing.statusCode());
        assertEquals("404 page not found\n", missing.body());

        final HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(uri(clientPort, "/health"))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
    }

    @Test
    void anAlarmMakesTheMemberUnhealthyUnlessExcluded() throws Exception {
        final var maintenance = MaintenanceGrpc.newBlockingStub(channel);
        final long memberId = store.status().memberId();
        maintenance.alarm(AlarmRequest.newBuilder().setAction(AlarmRequest.AlarmAction.ACTIVATE)
            .setMemberID(memberId).setAlarm(AlarmType.NOSPACE).build());
        try {
            final HttpResponse<String> health = get(clientPort, "/health");
            assertEquals(503, health.statusCode());
            assertEquals("{\"health\":\"false\",\"reason\":\"ALARM NOSPACE\"}\n", health.body());
            assertEquals(200, get(clientPort, "/health?exclude=NOSPACE").statusCode());
            assertEquals(200, get(clientPort, "/readyz").statusCode(), "NOSPACE is no corruption");
        } finally {
            maintenance.alarm(AlarmRequest.newBuilder().setAction(AlarmRequest.AlarmAction.DEACTIVATE)
                .setMemberID(memberId).setAlarm(AlarmType.NOSPACE).build());
        }
        assertEquals(200, get(clientPort, "/health").statusCode());
    }

    @Test
    void livezAndReadyzAnswerAsEtcd35() throws Exception {
        assertEquals("ok", get(clientPort, "/livez").body());
        assertEquals("ok", get(clientPort, "/readyz").body());
        assertEquals("[+]data_corruption ok\n[+]serializable_read ok\n[+]linearizable_read ok\nok",
            get(clientPort, "/readyz?verbose").body());
    }

    @Test
    void theMetricsPortServesMetricsAndHealthOnly() throws Exception {
        assertEquals(200, get(metricsPort, "/metrics").statusCode());
        assertEquals("{\"health\":\"true\"}", get(metricsPort, "/health").body());
        assertEquals(404, get(metricsPort, "/version").statusCode(), "etcd serves /version on client URLs only");
        assertTrue(get(metricsPort, "/health").headers().firstValue("access-control-allow-origin").isEmpty());
    }

    @Test
    void grpcAndHttpShareTheClientPort() throws Exception {
        KVGrpc.newBlockingStub(channel).put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("k"))
            .setValue(ByteString.copyFromUtf8("v")).build());
        final String metrics = get(clientPort, "/metrics").body();
        assertTrue(metrics.matches("(?s).*\ngrpc_server_handled_total\\{grpc_code=\"OK\",grpc_method=\"Put\","
            + "grpc_service=\"etcdserverpb.KV\",grpc_type=\"unary\"} [1-9].*"), "a Put counted");
        assertTrue(metrics.contains("\ngrpc_server_handled_total{grpc_code=\"NotFound\",grpc_method=\"Put\","
            + "grpc_service=\"etcdserverpb.KV\",grpc_type=\"unary\"} 0"), "every method and code starts at 0");
        for (final String counted : List.of("grpc_server_started_total", "grpc_server_msg_received_total",
            "grpc_server_msg_sent_total")) {
            assertTrue(metrics.matches("(?s).*\n" + counted + "\\{grpc_method=\"Put\",grpc_service=\"etcdserverpb.KV\","
                + "grpc_type=\"unary\"} [1-9].*"), counted + " counts the Put");
        }
    }

    /** A refused call is counted under its code (the series are looked up once per method, by code). */
    @Test
    void aRefusedCallIsCountedUnderItsCode() throws Exception {
        assertThrows(io.grpc.StatusRuntimeException.class, () -> KVGrpc.newBlockingStub(channel)
            .put(PutRequest.newBuilder().setValue(ByteString.copyFromUtf8("no key")).build()));
        final String metrics = get(clientPort, "/metrics").body();
        assertTrue(metrics.contains("\ngrpc_server_handled_total{grpc_code=\"InvalidArgument\",grpc_method=\"Put\","
            + "grpc_service=\"etcdserverpb.KV\",grpc_type=\"unary\"} 1"), "the empty key's refusal");
    }

    /** The sniffer must wait for enough bytes: a client may send the first few alone. */
    @Test
    void firstBytesArrivingPieceByPieceStillReachTheRightProtocol() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", clientPort)) {
            final OutputStream out = socket.getOutputStream();
            out.write("GE".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(100);
            out.write("T /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
            assertTrue(response.endsWith("{\"etcdserver\":\"3.4.23\",\"etcdcluster\":\"3.4.0\"}"), response);
        }
        try (Socket socket = new Socket("127.0.0.1", clientPort)) {
            final OutputStream out = socket.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(100);
            out.write("\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // an empty SETTINGS frame
            out.flush();
            final byte[] frameHeader = socket.getInputStream().readNBytes(9);
            assertEquals(9, frameHeader.length);
            assertEquals(4, frameHeader[3], "the server's first HTTP/2 frame is its SETTINGS");
        }
    }

    @Test
    void metricNamesTypesAndLabelsAreEtcds() throws Exception {
        final Map<String, Family> etcd = etcdFamilies();
        final Map<String, Family> cairn = parse(get(clientPort, "/metrics").body());
        final List<String> wrong = new ArrayList<>();
        for (final Family family : cairn.values()) {
            if (family.name.startsWith("cairn_") || family.name.startsWith("jvm_")) {
                continue;
            }
            final Family theirs = etcd.get(family.name);
            if (theirs == null) {
                wrong.add(family.name + ": not in etcd 3.4.23");
                continue;
            }
            final String expectedType = TYPE_EXCEPTIONS.getOrDefault(family.name, theirs.type);
            if (!expectedType.equals(family.type) || !theirs.labels.equals(family.labels)) {
                wrong.add(family.name + ": " + family.type + " " + family.labels + ", etcd: " + theirs.type + " "
                    + theirs.labels);
            }
        }
        for (final String name : REQUIRED) {
            if (!cairn.containsKey(name)) {
                wrong.add(name + ": missing");
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void cairnsPeerCountersAreExportedFromZero() throws Exception {
        final Map<String, Family> cairn = parse(get(clientPort, "/metrics").body());
        for (final String name : List.of("cairn_peer_messages_sent_total", "cairn_peer_send_back_pressured_total",
            "cairn_peer_send_not_connected_total", "cairn_peer_send_refused_other_total",
            "cairn_peer_snapshots_failed_total")) {
            assertTrue(cairn.containsKey(name), name + " missing");
            assertEquals("counter", cairn.get(name).type, name);
        }
        assertTrue(get(clientPort, "/metrics").body().contains("\ncairn_peer_send_refused_other_total 0.0\n"),
            "a member alone has refused nothing");
    }

    private record Family(String name, String type, TreeSet<String> labels) {
    }

    private static Map<String, Family> etcdFamilies() throws IOException {
        final Map<String, Family> families = new TreeMap<>();
        try (InputStream in = Objects.requireNonNull(HttpEndpointsTest.class.getResourceAsStream("etcd-3.4.23-metrics.txt"));
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                final String[] fields = line.split(" ");
                final TreeSet<String> labels = new TreeSet<>();
                if (!fields[2].equals("-")) {
                    labels.addAll(List.of(fields[2].split(",")));
                }
                families.put(fields[0], new Family(fields[0], fields[1], labels));
            }
        }
        return families;
    }

    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)})? .*");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");

    /** Families from the Prometheus text format: TYPE lines, and the label names of their samples. */
    private static Map<String, Family> parse(final String text) {
        final Map<String, Family> families = new TreeMap<>();
        for (final String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                final String[] fields = line.split(" ");
                families.put(fields[2], new Family(fields[2], fields[3], new TreeSet<>()));
            } else if (!line.startsWith("#") && !line.isBlank()) {
                final Matcher sample = SAMPLE.matcher(line);
                assertTrue(sample.matches(), line);
                Family family = families.get(sample.group(1));
                for (final String suffix : List.of("_bucket", "_sum", "_count")) {
                    if (family == null && sample.group(1).endsWith(suffix)) {
                        family = families.get(sample.group(1).substring(0, sample.group(1).length() - suffix.length()));
                    }
                }
                assertNotNull(family, line);
                if (sample.group(3) != null) {
                    final Matcher label = LABEL.matcher(sample.group(3));
                    while (label.find()) {
                        if (!label.group(1).equals("le")) {
                            family.labels.add(label.group(1));
                        }
                    }
                }
            }
        }
        return families;
    }

    private static HttpResponse<String> get(final int port, final String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(port, path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(final int port, final String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
