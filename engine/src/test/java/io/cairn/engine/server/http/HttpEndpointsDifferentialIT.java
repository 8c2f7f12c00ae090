package io.cairn.engine.server.http;

import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.SideBySide;
import io.cairn.engine.testing.ThreeMembers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HTTP endpoints of a three-member etcd and a three-member Cairn, through a real HTTP client,
 * compared: /health on every member and once quorum is lost, /version, etcd's 404 and 405, the
 * alarm exclusion, leadership as /metrics reports it; and a --listen-metrics-urls port of a single
 * member. The body of an unhealthy answer is compared by its "health" field: Cairn adds etcd 3.5's
 * "reason".
 */
class HttpEndpointsDifferentialIT {
    private static final Pattern HEALTH = Pattern.compile("\\{\"health\":\"(true|false)\".*", Pattern.DOTALL);
    private static final long UNHEALTHY_WITHIN_SECONDS = 20;

    @RegisterExtension
    final ThreeMembers.Logs logs = new ThreeMembers.Logs();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aThreeMemberClusterAnswersAsEtcd() throws Exception {
        final ThreeMembers.Ports ports = ThreeMembers.Ports.free();
        SideBySide.assertSame(kind -> clusterSession(kind, ports), i -> "output " + i);
    }

    @Test
    void aMetricsUrlAnswersAsEtcds() throws Exception {
        final int metricsPort = ServerProcess.freePort();
        SideBySide.assertSame((kind, clientPort, peerPort) -> {
            try (ServerProcess server = ServerProcess.start(kind, clientPort, peerPort,
                "--listen-metrics-urls", "http://127.0.0.1:" + metricsPort)) {
                final String base = "http://127.0.0.1:" + metricsPort;
                final List<String> outputs = new ArrayList<>();
                outputs.add("serving on " + (server.clientUrl().equals("http://127.0.0.1:" + clientPort) ? "its client URL" : server.clientUrl()));
                outputs.add("/health " + describe(get(base + "/health")));
                outputs.add("/version " + get(base + "/version").statusCode());
                final HttpResponse<String> metrics = get(base + "/metrics");
                outputs.add("/metrics " + metrics.statusCode() + " "
                    + metrics.headers().firstValue("content-type").orElse("") + " has_leader "
                    + metrics.body().contains("\netcd_server_has_leader 1"));
                return outputs;
            }
        }, i -> "output " + i);
    }

    private List<String> clusterSession(final ServerProcess.Kind kind, final ThreeMembers.Ports ports)
        throws Exception {
        try (ThreeMembers cluster = ThreeMembers.start(kind, ports, logs)) {
            final List<String> outputs = new ArrayList<>();
            final int leader = cluster.leaderIndex();
            int leaders = 0;
            for (int i = 0; i < ThreeMembers.SIZE; i++) {
                final HttpResponse<String> health = get(cluster.clientUrl(i) + "/health");
                outputs.add(ThreeMembers.name(i) + " /health " + describe(health) + " "
                    + health.headers().firstValue("content-type").orElse("") + " CORS "
                    + health.headers().firstValue("access-control-allow-origin").orElse("none"));
                final String metrics = get(cluster.clientUrl(i) + "/metrics").body();
                outputs.add(ThreeMembers.name(i) + " has_leader " + metrics.contains("\netcd_server_has_leader 1"));
                if (metrics.contains("\netcd_server_is_leader 1")) {
                    leaders++;
                }
            }
            outputs.add("members reporting is_leader: " + leaders);
            outputs.add("/version " + describe(get(cluster.clientUrl(leader) + "/version")));
            outputs.add("/health?exclude=NOSPACE " + describe(get(cluster.clientUrl(leader) + "/health?exclude=NOSPACE")));
            outputs.add("/v2/keys " + describe(get(cluster.clientUrl(leader) + "/v2/keys")));
            outputs.add("POST /health " + http.send(HttpRequest.newBuilder(URI.create(cluster.clientUrl(leader) + "/health"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode());

            // Two of three members gone: the survivor cannot reach a quorum, so it is not healthy.
            final int survivor = cluster.followerIndex();
            for (int i = 0; i < ThreeMembers.SIZE; i++) {
                if (i != survivor) {
                    cluster.kill(i);
                }
            }
            outputs.add("without quorum " + awaitUnhealthy(cluster.clientUrl(survivor) + "/health"));
            return outputs;
        }
    }

    /** The first unhealthy answer within the bound (etcd's leader lease and read timeout take a few seconds). */
    private String awaitUnhealthy(final String url) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(UNHEALTHY_WITHIN_SECONDS);
        String last = "";
        while (System.nanoTime() < deadline) {
            last = describe(get(url));
            if (!last.startsWith("200")) {
                return last;
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        return "still " + last;
    }

    /** Status code and body; a /health body by its verdict alone. */
    private static String describe(final HttpResponse<String> response) {
        final Matcher health = HEALTH.matcher(response.body());
        return response.statusCode() + " " + (health.matches() ? "health=" + health.group(1) : response.body().strip());
    }

    private HttpResponse<String> get(final String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    }
}
