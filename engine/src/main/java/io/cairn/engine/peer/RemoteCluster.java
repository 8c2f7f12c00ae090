package io.cairn.engine.peer;

import io.cairn.engine.cluster.Member;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;

/**
 * Asks running members for their cluster, as etcd's {@code GetClusterFromRemotePeers} does for a
 * member started with {@code --initial-cluster-state existing}: {@code GET <peer URL>/members} on
 * each URL in turn, and the first good answer wins. Works against etcd's peers and Cairn's alike.
 *
 * <p>For https the JDK's client checks that the peer's certificate names the host dialed, as Go's
 * does; it matches an IP-address host against the certificate's IP-address SANs (the test
 * certificates carry 127.0.0.1, ::1 and localhost), so peer URLs written with IPs need no special
 * handling.
 */
public final class RemoteCluster {
    /** A member list is a few hundred bytes per member; more than this is not an etcd answer. */
    static final long MEMBERS_BODY_BYTES_MAX = 4L << 20;

    private RemoteCluster() {
    }

    /**
     * The cluster as the first of {@code peerUrls} that answers well describes it. Unlike etcd,
     * which gives up at once, an answer with no members counts as one URL failing, and the next
     * URL is asked.
     *
     * @param tlsOrNull      the peer TLS context (a client certificate is presented if it has one);
     *                       needed for https URLs
     * @param timeoutPerUrl  for connecting and for the whole answer of one URL (etcd: 10 s)
     * @throws IOException listing every URL with the reason it failed, when none answered well
     */
    public static ClusterView fetch(final List<URI> peerUrls, final SSLContext tlsOrNull,
        final Duration timeoutPerUrl) throws IOException {
        final HttpClient.Builder builder = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1) // etcd's peer listener and the JDK's server speak 1.1
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(timeoutPerUrl);
        if (tlsOrNull != null) {
            builder.sslContext(tlsOrNull);
        }
        final List<String> failures = new ArrayList<>();
        try (HttpClient client = builder.build()) {
            for (final URI peerUrl : peerUrls) {
                final URI membersUrl = URI.create(withoutTrailingSlash(peerUrl.toString()) + PeerRequests.MEMBERS_PATH);
                if (tlsOrNull == null && "https".equals(String.valueOf(peerUrl.getScheme()).toLowerCase(Locale.ROOT))) {
                    failures.add(membersUrl + ": https, but no peer TLS was given");
                    continue;
                }
                try {
                    return ask(client, membersUrl, timeoutPerUrl);
                } catch (final IOException | IllegalArgumentException e) {
                    failures.add(membersUrl + ": " + reason(e));
                }
            }
        }
        throw new IOException("cannot fetch cluster info from peer urls: could not retrieve cluster information "
            + "from the given URLs (" + (failures.isEmpty() ? "none given" : String.join("; ", failures)) + ")");
    }

    private static ClusterView ask(final HttpClient client, final URI membersUrl, final Duration timeout)
        throws IOException {
        final HttpRequest request = HttpRequest.newBuilder(membersUrl).timeout(timeout).GET().build();
        final CompletableFuture<HttpResponse<byte[]>> pending = client.sendAsync(request,
            HttpResponse.BodyHandlers.limiting(HttpResponse.BodyHandlers.ofByteArray(), MEMBERS_BODY_BYTES_MAX));
        final HttpResponse<byte[]> response;
        try {
            // The request's own timeout ends at the headers; this one also bounds a body that trickles.
            response = pending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (final TimeoutException e) {
            pending.cancel(true);
            throw new IOException("no answer within " + timeout.toMillis() + " ms");
        } catch (final ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (final InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while asking " + membersUrl);
        }
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode());
        }
        final Optional<String> clusterIdHex = response.headers().firstValue(PeerRequests.CLUSTER_ID_HEADER);
        if (clusterIdHex.isEmpty()) {
            throw new IOException("no " + PeerRequests.CLUSTER_ID_HEADER + " header");
        }
        final long clusterId = hexId(clusterIdHex.get(), PeerRequests.CLUSTER_ID_HEADER);
        final List<Member> members = MembersJson.parse(new String(response.body(), StandardCharsets.UTF_8));
        if (members.isEmpty()) {
            throw new IOException("failed to get raft cluster member(s): the answer lists none");
        }
        final Set<Long> removed = new HashSet<>();
        // etcd does not send Cairn's header: none known removed.
        for (final String hex : response.headers().firstValue(PeerRequests.REMOVED_IDS_HEADER).orElse("").split(",")) {
            if (!hex.isBlank()) {
                removed.add(hexId(hex.strip(), PeerRequests.REMOVED_IDS_HEADER));
            }
        }
        return new ClusterView(clusterId, members, removed);
    }

    /** etcd's types.IDFromString: unsigned hex. */
    private static long hexId(final String hex, final String header) throws IOException {
        try {
            if (hex.startsWith("+")) {
                throw new NumberFormatException("a sign");
            }
            return Long.parseUnsignedLong(hex, 16);
        } catch (final NumberFormatException e) {
            throw new IOException(header + " is not a hex id: \"" + hex + "\"");
        }
    }

    private static String withoutTrailingSlash(final String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /**
     * {@code e}'s message and, when it adds something, its root cause's (the JDK's connect and TLS
     * failures often carry the telling text only at the root, or none at the top).
     */
    private static String reason(final Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        final String rootText = root.getMessage() == null || root.getMessage().isBlank()
            ? root.getClass().getSimpleName() : root.getMessage();
        final String top = e.getMessage();
        if (top == null || top.isBlank()) {
            // The JDK's client reports a refused connection as a bare ConnectException.
            return root == e ? rootText : e.getClass().getSimpleName() + " (" + rootText + ")";
        }
        return root == e || top.contains(rootText) ? top : top + ": " + rootText;
    }
}
