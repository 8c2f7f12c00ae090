package io.cairn.engine.peer;

import io.cairn.engine.cluster.Member;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.HttpsURLConnection;
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
 *
 * <p>Why {@link HttpURLConnection} and not {@code java.net.http.HttpClient}: this is one GET on a
 * joining member's start path, where nothing has warmed up. In a fresh JVM the newer client took
 * 400-540 ms for it (its selector thread, its default TLS context, ~500 classes); the older one
 * 54-61 ms. A new member that takes that long to reach its leader can cost the cluster an election
 * (engine/README.md, "A new member reaches its leader sooner").
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
        final List<String> failures = new ArrayList<>();
        for (final URI peerUrl : peerUrls) {
            final URI membersUrl = URI.create(withoutTrailingSlash(peerUrl.toString()) + PeerRequests.MEMBERS_PATH);
            if (tlsOrNull == null && "https".equals(String.valueOf(peerUrl.getScheme()).toLowerCase(Locale.ROOT))) {
                failures.add(membersUrl + ": https, but no peer TLS was given");
                continue;
            }
            try {
                return ask(membersUrl, tlsOrNull, timeoutPerUrl);
            } catch (final IOException | IllegalArgumentException e) {
                failures.add(membersUrl + ": " + reason(e));
            }
        }
        throw new IOException("cannot fetch cluster info from peer urls: could not retrieve cluster information "
            + "from the given URLs (" + (failures.isEmpty() ? "none given" : String.join("; ", failures)) + ")");
    }

    private static ClusterView ask(final URI membersUrl, final SSLContext tlsOrNull, final Duration timeout)
        throws IOException {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        // No proxy, as etcd's peer transport uses none; a connection of its own, closed after the answer.
        final HttpURLConnection connection = (HttpURLConnection) membersUrl.toURL().openConnection(Proxy.NO_PROXY);
        try {
            if (connection instanceof HttpsURLConnection https) {
                // The default host name check stays: the peer's certificate must name the host dialed.
                https.setSSLSocketFactory(tlsOrNull.getSocketFactory());
            }
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            connection.setConnectTimeout(millis(timeout));
            connection.setReadTimeout(millis(timeout));
            final int status = connection.getResponseCode();
            if (status != 200) {
                throw new IOException("HTTP " + status);
            }
            final String clusterIdHex = connection.getHeaderField(PeerRequests.CLUSTER_ID_HEADER);
            if (clusterIdHex == null) {
                throw new IOException("no " + PeerRequests.CLUSTER_ID_HEADER + " header");
            }
            final long clusterId = hexId(clusterIdHex, PeerRequests.CLUSTER_ID_HEADER);
            final byte[] body;
            try (InputStream in = connection.getInputStream()) {
                body = readBody(in, deadlineNs, timeout);
            }
            final List<Member> members = MembersJson.parse(new String(body, StandardCharsets.UTF_8));
            if (members.isEmpty()) {
                throw new IOException("failed to get raft cluster member(s): the answer lists none");
            }
            final Set<Long> removed = new HashSet<>();
            // etcd does not send Cairn's header: none known removed.
            final String removedHex = connection.getHeaderField(PeerRequests.REMOVED_IDS_HEADER);
            for (final String hex : (removedHex == null ? "" : removedHex).split(",")) {
                if (!hex.isBlank()) {
                    removed.add(hexId(hex.strip(), PeerRequests.REMOVED_IDS_HEADER));
                }
            }
            return new ClusterView(clusterId, members, removed);
        } catch (final SocketTimeoutException e) {
            throw new IOException("no answer within " + timeout.toMillis() + " ms", e);
        } finally {
            connection.disconnect();
        }
    }

    /**
     * The body, at most {@link #MEMBERS_BODY_BYTES_MAX} bytes. Each read waits at most the read
     * timeout; a body that trickles in is cut at the first read that ends past the deadline, so an
     * answer takes at most the timeout and one read.
     */
    private static byte[] readBody(final InputStream in, final long deadlineNs, final Duration timeout)
        throws IOException {
        final ByteArrayOutputStream body = new ByteArrayOutputStream(1024);
        final byte[] buffer = new byte[8192];
        int read;
        while ((read = in.read(buffer)) >= 0) {
            body.write(buffer, 0, read);
            if (body.size() > MEMBERS_BODY_BYTES_MAX) {
                throw new IOException("the answer is longer than " + MEMBERS_BODY_BYTES_MAX + " bytes");
            }
            if (System.nanoTime() - deadlineNs > 0) {
                throw new IOException("no answer within " + timeout.toMillis() + " ms");
            }
        }
        return body.toByteArray();
    }

    private static int millis(final Duration timeout) {
        return Math.clamp(timeout.toMillis(), 1, Integer.MAX_VALUE);
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
