package io.cairn.engine.peer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Answers a request on the peer port as etcd 3.4.23's peer handler does, byte for byte in the
 * body and in the headers a peer reads: {@code GET /members} and {@code GET /version}; 405 (with
 * {@code Allow: GET}) for another method on those paths; 404 for every other path, whatever the
 * method (Go's {@code http.NotFound} at "/"). Etcd's other peer paths (/raft, /leases,
 * /members/promote) have no Cairn counterpart here: Raft travels over Aeron, and snapshots to
 * Cairn's own path ({@link SnapshotRequests}).
 */
final class PeerRequests implements HttpHandler {
    static final String MEMBERS_PATH = "/members";
    static final String VERSION_PATH = "/version";
    static final String CLUSTER_ID_HEADER = "X-Etcd-Cluster-ID";
    /** Cairn's own: the ids of removed members, hex, comma-separated, empty when none. */
    static final String REMOVED_IDS_HEADER = "X-Cairn-Removed-Member-IDs";

    private static final System.Logger LOG = System.getLogger(PeerRequests.class.getName());
    private static final String JSON = "application/json";
    /** What Go's http.Error writes. */
    private static final String TEXT = "text/plain; charset=utf-8";

    /** One answer, computed before anything is sent so that a failure can still become a status. */
    record Answer(int status, Map<String, String> headers, byte[] body) {
    }

    private final Supplier<ClusterView> view;
    private final String versionJson;

    /**
     * @param serverVersion  etcd's {@code etcdserver} field: the etcd release Cairn answers as
     * @param clusterVersion etcd's {@code etcdcluster} field
     */
    PeerRequests(final Supplier<ClusterView> view, final String serverVersion, final String clusterVersion) {
        this.view = view;
        // etcd's json.Marshal of version.Versions: no newline after it, unlike /members.
        final StringBuilder json = new StringBuilder("{\"etcdserver\":");
        MembersJson.quoted(json, serverVersion);
        json.append(",\"etcdcluster\":");
        MembersJson.quoted(json, clusterVersion);
        this.versionJson = json.append('}').toString();
    }

    @Override
    public void handle(final HttpExchange exchange) {
        try (exchange) {
            final Answer answer = answer(exchange.getRequestMethod(), exchange.getRequestURI().getPath());
            answer.headers().forEach(exchange.getResponseHeaders()::set);
            // A HEAD answer has no body, and the JDK's server wants no length announced for one.
            final boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(answer.status(), head || answer.body().length == 0 ? -1 : answer.body().length);
            if (!head) {
                try (OutputStream body = exchange.getResponseBody()) {
                    body.write(answer.body());
                }
            }
        } catch (final IOException | RuntimeException e) {
            // The peer went away or sent something the JDK's server could not take: nothing to answer.
            LOG.log(System.Logger.Level.DEBUG, "peer HTTP request from {0} not answered: {1}",
                exchange.getRemoteAddress(), String.valueOf(e));
        }
    }

    /** The answer to {@code method} on {@code path} (null when the request line had none). */
    Answer answer(final String method, final String path) {
        final boolean members = MEMBERS_PATH.equals(path);
        if (!members && !VERSION_PATH.equals(path)) {
            return text(404, "404 page not found", Map.of());
        }
        if (!"GET".equals(method)) {
            return text(405, "Method Not Allowed", Map.of("Allow", "GET"));
        }
        if (!members) {
            return new Answer(200, Map.of("Content-Type", JSON), versionJson.getBytes(StandardCharsets.UTF_8));
        }
        final ClusterView current;
        try {
            current = view.get();
        } catch (final RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list the members for a peer", e);
            return text(500, "cannot list the members: " + e.getMessage(), Map.of());
        }
        final Map<String, String> headers = new LinkedHashMap<>();
        headers.put(CLUSTER_ID_HEADER, Long.toHexString(current.clusterId()));
        headers.put(REMOVED_IDS_HEADER, current.removedIds().stream().sorted(Long::compareUnsigned)
            .map(Long::toHexString).collect(Collectors.joining(",")));
        headers.put("Content-Type", JSON);
        return new Answer(200, headers, MembersJson.write(current.members()).getBytes(StandardCharsets.UTF_8));
    }

    /** Go's http.Error: the text and a newline, plain text, no sniffing. */
    private static Answer text(final int status, final String text, final Map<String, String> extraHeaders) {
        final Map<String, String> headers = new LinkedHashMap<>(extraHeaders);
        headers.put("Content-Type", TEXT);
        headers.put("X-Content-Type-Options", "nosniff");
        return new Answer(status, headers, (text + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
