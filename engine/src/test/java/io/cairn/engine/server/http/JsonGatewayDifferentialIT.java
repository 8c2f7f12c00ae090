package io.cairn.engine.server.http;

import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.SideBySide;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * etcd's JSON gateway, the `curl` examples of etcd's documentation and more, sent to etcd 3.4.23
 * and to Cairn on the same ports (so both have the same member and cluster ids): status and body
 * must be the same. Lease ids and hashes are random or format-specific, and database sizes and Raft
 * indexes differ between the two; those values are replaced by their names. A body Go's JSON
 * decoder refuses is compared by status and code (the message is Go's).
 */
class JsonGatewayDifferentialIT {
    private static final List<String[]> CALLS = List.of(
        new String[] {"/v3/kv/put", "{\"key\":\"Zm9v\",\"value\":\"YmFy\"}"},
        new String[] {"/v3/kv/range", "{\"key\":\"Zm9v\"}"},
        new String[] {"/v3beta/kv/range", "{\"key\":\"Zm9v\",\"keys_only\":true}"},
        new String[] {"/v3/kv/put", "{\"key\":\"Zm9vMg==\",\"value\":\"\",\"prev_kv\":true}"},
        new String[] {"/v3/kv/range", "{\"key\":\"Zm9v\",\"range_end\":\"Zm9w\",\"sort_order\":\"DESCEND\"}"},
        new String[] {"/v3/kv/range", "{\"key\":\"Zm9v\",\"revision\":99}"},
        new String[] {"/v3/kv/range", "{\"kee\":\"Zm9v\"}"},
        new String[] {"/v3/kv/txn", "{\"compare\":[{\"key\":\"Zm9v\",\"result\":\"EQUAL\",\"target\":\"VALUE\","
            + "\"value\":\"YmFy\"}],\"success\":[{\"request_put\":{\"key\":\"Zm9v\",\"value\":\"YmF6\"}}],"
            + "\"failure\":[{\"request_range\":{\"key\":\"Zm9v\"}}]}"},
        new String[] {"/v3/kv/txn", "{\"compare\":[{\"key\":\"Zm9v\",\"target\":\"VERSION\",\"version\":\"7\"}],"
            + "\"failure\":[{\"request_range\":{\"key\":\"Zm9v\"}}]}"},
        new String[] {"/v3/kv/deleterange", "{\"key\":\"Zm9vMg==\",\"prev_kv\":true}"},
        new String[] {"/v3/kv/compaction", "{\"revision\":\"3\"}"},
        new String[] {"/v3/kv/range", "{\"key\":\"Zm9v\",\"revision\":\"2\"}"},
        new String[] {"/v3/lease/grant", "{\"TTL\":30}"},
        new String[] {"/v3/lease/timetolive", "{\"ID\":\"12345\"}"},
        new String[] {"/v3/kv/lease/revoke", "{\"ID\":\"12345\"}"},
        new String[] {"/v3/maintenance/status", "{}"},
        new String[] {"/v3/maintenance/hash", "{}"},
        new String[] {"/v3/maintenance/alarm", "{}"},
        new String[] {"/v3/maintenance/transfer-leadership", "{}"},
        new String[] {"/v3/cluster/member/list", "{}"},
        new String[] {"/v3/kv/range", "nonsense"});

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void gatewayCallsAnswerAsEtcds() throws Exception {
        SideBySide.assertSame((kind, clientPort, peerPort) -> {
            try (ServerProcess server = ServerProcess.start(kind, clientPort, peerPort)) {
                final List<String> outputs = new ArrayList<>();
                for (final String[] call : CALLS) {
                    outputs.add(call[0] + " " + call[1] + " -> " + post(server.clientUrl() + call[0], call[1]));
                }
                final HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(server.clientUrl()
                    + "/v3/kv/range")).GET().build(), HttpResponse.BodyHandlers.ofString());
                outputs.add("GET /v3/kv/range -> " + get.statusCode() + " " + get.body().strip());
                return outputs;
            }
        }, i -> "call " + i);
    }

    /**
     * The streaming calls: a watch with two watchers in one body (one from an old revision), events
     * as puts land, a keep-alive of a granted lease and of an unknown one (each answered, then the
     * answer ends), a body that is no JSON, a snapshot (its blobs differ, so only its shape is
     * compared) and an election observed.
     */
    @Test
    void streamingCallsAnswerAsEtcds() throws Exception {
        SideBySide.assertSame((kind, clientPort, peerPort) -> {
            try (ServerProcess server = ServerProcess.start(kind, clientPort, peerPort)) {
                final String url = server.clientUrl();
                final List<String> outputs = new ArrayList<>();
                outputs.add(post(url + "/v3/kv/put", "{\"key\":\"Zm9v\",\"value\":\"YmFy\"}"));
                try (Stream watch = Stream.open(url + "/v3/watch", "{\"create_request\":{\"key\":\"Zm9v\","
                    + "\"start_revision\":\"1\"}} {\"create_request\":{\"key\":\"YmFy\"}}")) {
                    outputs.add("watch: " + watch.head());
                    // Two "created" and watch 0's catch-up events: the second watcher's creation and the
                    // catch-up race, in etcd as in Cairn, so they are compared in sorted order.
                    final List<String> first = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        first.add(watch.line());
                    }
                    first.sort(null);
                    outputs.addAll(first);
                    post(url + "/v3/kv/put", "{\"key\":\"YmFy\",\"value\":\"MQ==\"}");
                    outputs.add(watch.line());
                }
                final String granted = post(url + "/v3/lease/grant", "{\"TTL\":60}");
                final String lease = granted.replaceAll(".*\"ID\":\"([0-9]+)\".*", "$1");
                try (Stream keepAlive = Stream.open(url + "/v3/lease/keepalive", "{\"ID\":\"" + lease + "\"}")) {
                    outputs.add("keepalive: " + keepAlive.head());
                    outputs.add(keepAlive.rest().replace(lease, "<lease>"));
                }
                try (Stream keepAlive = Stream.open(url + "/v3/lease/keepalive", "{\"ID\":\"123\"}")) {
                    outputs.add("keepalive of no lease: " + keepAlive.head() + " " + keepAlive.rest());
                }
                outputs.add("watch nonsense: " + post(url + "/v3/watch", "garbage"));
                try (Stream snapshot = Stream.open(url + "/v3/maintenance/snapshot", "{}")) {
                    outputs.add("snapshot: " + snapshot.head());
                    final List<String> lines = snapshot.rest().lines().toList();
                    outputs.add("snapshot lines: more than one " + (lines.size() > 1) + ", results "
                        + lines.stream().allMatch(l -> l.startsWith("{\"result\":{\"header\":"))
                        + ", last has no remaining_bytes " + !lines.getLast().contains("remaining_bytes"));
                }
                outputs.add(post(url + "/v3/election/campaign", "{\"name\":\"ZWxlY3Q=\",\"lease\":\"" + lease
                    + "\",\"value\":\"djE=\"}").replace(lease, "<lease>").replaceAll("\"key\":\"[^\"]+\"", "\"key\":<key>"));
                try (Stream observe = Stream.open(url + "/v3/election/observe", "{\"name\":\"ZWxlY3Q=\"}")) {
                    outputs.add("observe: " + observe.head() + " " + observe.line().replace(lease, "<lease>")
                        .replaceAll("\"key\":\"[^\"]+\"", "\"key\":<key>"));
                }
                return outputs;
            }
        }, i -> "stream output " + i).forEach(System.out::println);
    }

    /** A streaming gateway answer, read line by line as it comes. */
    private static final class Stream implements AutoCloseable {
        private final HttpURLConnection connection;
        private final int status;
        private final java.io.BufferedReader lines;

        private Stream(final HttpURLConnection connection) throws Exception {
            this.connection = connection;
            this.status = connection.getResponseCode();
            this.lines = new java.io.BufferedReader(new java.io.InputStreamReader(
                status < 400 ? connection.getInputStream() : connection.getErrorStream(), StandardCharsets.UTF_8));
        }

        static Stream open(final String url, final String body) throws Exception {
            return new Stream(posted(url, body));
        }

        /** Status, content type and transfer encoding. */
        String head() {
            return status + " " + connection.getContentType() + " " + connection.getHeaderField("Transfer-Encoding");
        }

        String line() throws Exception {
            return lines.readLine();
        }

        /** Every line until the answer ends. */
        String rest() throws Exception {
            final StringBuilder rest = new StringBuilder();
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                rest.append(line).append('\n');
            }
            return rest.toString();
        }

        @Override
        public void close() {
            connection.disconnect();
        }
    }

    /** A POST of {@code body} to {@code url}, sent; the answer is the caller's to read. */
    static HttpURLConnection posted(final String url, final String body) throws Exception {
        final HttpURLConnection connection = (HttpURLConnection)URI.create(url).toURL().openConnection();
        connection.setRequestMethod("POST");
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(10_000);
        connection.setDoOutput(true);
        try (OutputStream out = connection.getOutputStream()) {
            out.write(body.getBytes(StandardCharsets.UTF_8));
        }
        return connection;
    }

    /**
     * By HttpURLConnection: etcd sends its gateway errors chunked with a trailer, which trips an
     * assertion in java.net.http's chunked parser when assertions are on (as in these tests).
     */
    private static String post(final String url, final String body) throws Exception {
        final HttpURLConnection connection = posted(url, body);
        final int status = connection.getResponseCode();
        final String answer;
        try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
            answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String text = answer.strip()
            .replaceAll("\"ID\":\"[0-9]+\",\"TTL\":\"30\"", "\"ID\":\"<lease>\",\"TTL\":\"30\"")
            .replaceAll("\"hash\":[0-9]+", "\"hash\":<hash>")
            .replaceAll("\"(dbSize|dbSizeInUse|raftIndex|raftAppliedIndex)\":\"[0-9]+\"", "\"$1\":<n>");
        if (body.equals("nonsense")) {
            text = text.replaceAll("\"(error|message)\":\"(?:[^\"\\\\]|\\\\.)*\"", "\"$1\":<Go's JSON error>");
        }
        return status + " " + connection.getContentType() + " " + text;
    }
}
