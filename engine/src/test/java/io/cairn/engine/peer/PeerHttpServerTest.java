package io.cairn.engine.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.cluster.Member;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The peer port over plain http: what a raw request gets back (etcd's bytes, see
 * PeerMembersDifferentialIT for etcd's own), and {@link RemoteCluster} reading it back.
 */
class PeerHttpServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** Above 2^63: written and read as an unsigned decimal. */
    private static final long LEARNER_ID = 0xb15a_9f2c_0d3e_4a11L;
    private static final Member M1 = new Member(7383792418829112008L, "m1", List.of("http://127.0.0.1:2380"),
        List.of("http://127.0.0.1:2379"), false);
    private static final Member LEARNER = new Member(LEARNER_ID, "", List.of("http://127.0.0.1:2390"), List.of(), true);
    /** Not in id order: the server sorts (unsigned), so the view read back is {@link #VIEW}. */
    private static final ClusterView UNSORTED = new ClusterView(0xdc50_b8da_ae93_b3e0L, List.of(LEARNER, M1),
        Set.of(0x2aL, 0xffff_0000_0000_0001L));
    private static final ClusterView VIEW = new ClusterView(UNSORTED.clusterId(), List.of(M1, LEARNER),
        UNSORTED.removedIds());

    private static PeerHttpServer plain(final ClusterView view) throws IOException {
        return PeerHttpServer.start(URI.create("http://127.0.0.1:0"), null, false, () -> view);
    }

    private static URI url(final PeerHttpServer server) {
        return URI.create("http://127.0.0.1:" + server.address().getPort());
    }

    @Test
    void membersAreEtcdsBytesWithTheClusterIdAndRemovedIdsInHex() throws IOException {
        try (PeerHttpServer server = plain(UNSORTED)) {
            final RawHttp answer = raw(server, "GET /members HTTP/1.1");
            assertEquals("HTTP/1.1 200 OK", answer.statusLine());
            assertEquals("dc50b8daae93b3e0", answer.header("X-Etcd-Cluster-ID"));
            assertEquals("2a,ffff000000000001", answer.header("X-Cairn-Removed-Member-IDs"));
            assertEquals("application/json", answer.header("Content-Type"));
            assertEquals("[{\"id\":7383792418829112008,\"peerURLs\":[\"http://127.0.0.1:2380\"],\"name\":\"m1\","
                + "\"clientURLs\":[\"http://127.0.0.1:2379\"]},{\"id\":" + Long.toUnsignedString(LEARNER_ID)
                + ",\"peerURLs\":[\"http://127.0.0.1:2390\"],\"isLearner\":true}]\n", answer.body());
        }
    }

    @Test
    void versionIsEtcdsJson() throws IOException {
        try (PeerHttpServer server = plain(VIEW)) {
            final RawHttp answer = raw(server, "GET /version HTTP/1.1");
            assertEquals("HTTP/1.1 200 OK", answer.statusLine());
            assertEquals("application/json", answer.header("Content-Type"));
            assertEquals("{\"etcdserver\":\"3.4.23\",\"etcdcluster\":\"3.4.0\"}", answer.body());
        }
    }

    @Test
    void anotherPathIs404AndAnotherMethod405AsGoWritesThem() throws IOException {
        try (PeerHttpServer server = plain(VIEW)) {
            for (final String request : List.of("GET /raft HTTP/1.1", "GET /members/promote/1 HTTP/1.1",
                "POST /nothing HTTP/1.1", "GET / HTTP/1.1")) {
                final RawHttp answer = raw(server, request);
                assertEquals("HTTP/1.1 404 Not Found", answer.statusLine(), request);
                assertEquals("404 page not found\n", answer.body());
                assertEquals("text/plain; charset=utf-8", answer.header("Content-Type"));
            }
            for (final String request : List.of("POST /members HTTP/1.1", "PUT /version HTTP/1.1",
                "HEAD /members HTTP/1.1")) {
                final RawHttp answer = raw(server, request);
                assertEquals("HTTP/1.1 405 Method Not Allowed", answer.statusLine(), request);
                assertEquals("GET", answer.header("Allow"));
            }
        }
    }

    @Test
    void aFailingViewIs500AndGarbageClosesOnlyThatConnection() throws IOException {
        final AtomicReference<ClusterView> view = new AtomicReference<>();
        try (PeerHttpServer server = PeerHttpServer.start(URI.create("http://127.0.0.1:0"), null, false,
            () -> {
                final ClusterView current = view.get();
                if (current == null) {
                    throw new IllegalStateException("not started yet");
                }
                return current;
            })) {
            assertTrue(raw(server, "GET /members HTTP/1.1").statusLine().startsWith("HTTP/1.1 500 "));
            raw(server, "\u0000\u0001 nonsense");
            raw(server, "GET /members?x=%zz HTTP/1.1");
            view.set(VIEW);
            assertEquals(VIEW, RemoteCluster.fetch(List.of(url(server)), null, TIMEOUT));
        }
    }

    @Test
    void remoteClusterReadsItBack() throws IOException {
        try (PeerHttpServer server = plain(UNSORTED)) {
            assertEquals(VIEW, RemoteCluster.fetch(List.of(url(server)), null, TIMEOUT));
            // A trailing slash on the peer URL is not doubled.
            assertEquals(VIEW, RemoteCluster.fetch(List.of(URI.create(url(server) + "/")), null, TIMEOUT));
        }
    }

    @Test
    void theFirstUrlThatAnswersWinsAndNoAnswerNamesEveryUrl() throws IOException {
        final URI closed = URI.create("http://127.0.0.1:" + freePort());
        final ClusterView empty = new ClusterView(1, List.of(), Set.of());
        try (PeerHttpServer server = plain(VIEW); PeerHttpServer nobody = plain(empty)) {
            assertEquals(VIEW, RemoteCluster.fetch(List.of(closed, url(nobody), url(server)), null, TIMEOUT));

            final IOException none = assertThrows(IOException.class,
                () -> RemoteCluster.fetch(List.of(closed, url(nobody), URI.create("https://127.0.0.1:1")), null,
                    TIMEOUT));
            final String message = none.getMessage();
            assertTrue(message.startsWith("cannot fetch cluster info from peer urls: could not retrieve cluster "
                + "information from the given URLs ("), message);
            assertTrue(message.contains(closed + "/members: Connection refused"), message);
            assertTrue(message.contains(url(nobody) + "/members: failed to get raft cluster member(s)"), message);
            assertTrue(message.contains("https://127.0.0.1:1/members: https, but no peer TLS was given"), message);
        }
    }

    @Test
    void theListenerKeepsNoJvmAlive() throws IOException {
        try (PeerHttpServer server = plain(VIEW)) {
            assertTrue(server.address().getPort() > 0);
            final List<Thread> dispatchers = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("HTTP-Dispatcher")).toList();
            assertTrue(!dispatchers.isEmpty() && dispatchers.stream().allMatch(Thread::isDaemon),
                () -> dispatchers + " daemon: " + dispatchers.stream().map(Thread::isDaemon).toList());
        }
    }

    @Test
    void aPortInUseIsAnIoExceptionNamingTheUrl() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            final URI url = URI.create("http://127.0.0.1:" + taken.getLocalPort());
            final IOException e = assertThrows(IOException.class,
                () -> PeerHttpServer.start(url, null, false, () -> VIEW).close());
            assertTrue(e.getMessage().contains("cannot listen on peer URL " + url), e.getMessage());
        }
    }

    private static RawHttp raw(final PeerHttpServer server, final String requestLine) throws IOException {
        return RawHttp.exchange(server.address().getPort(), requestLine);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
