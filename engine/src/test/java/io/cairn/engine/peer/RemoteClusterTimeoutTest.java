package io.cairn.engine.peer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link RemoteCluster} against peers that misbehave: one that never answers and one that answers
 * a byte at a time. Either way the fetch gives up near its timeout, as etcd's client timeout does,
 * rather than hold a joining member's start.
 */
class RemoteClusterTimeoutTest {
    private static final Duration TIMEOUT = Duration.ofMillis(500);
    /** Far above TIMEOUT: a fetch that waits for the whole trickle fails the test. */
    private static final Duration GIVE_UP_WITHIN = Duration.ofSeconds(5);
    private static final long TRICKLE_EVERY_MS = 50;

    @Test
    void aPeerThatNeverAnswersIsGivenUpAtTheTimeout() throws Exception {
        try (ServerSocket peer = listener()) {
            final Thread silent = Thread.ofVirtual().start(() -> serve(peer, out -> sleepMs(60_000)));
            try {
                final IOException e = assertTimeoutPreemptively(GIVE_UP_WITHIN,
                    () -> assertThrows(IOException.class, () -> RemoteCluster.fetch(url(peer), null, TIMEOUT)));
                assertTrue(e.getMessage().contains("/members: no answer within 500 ms"), e.getMessage());
            } finally {
                silent.interrupt();
            }
        }
    }

    @Test
    void aPeerThatTricklesItsAnswerIsCutAtTheTimeout() throws Exception {
        try (ServerSocket peer = listener()) {
            final Thread trickling = Thread.ofVirtual().start(() -> serve(peer, out -> {
                out.write(("HTTP/1.1 200 OK\r\nX-Etcd-Cluster-ID: 2a\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                // Each byte comes well within the read timeout: only the deadline can end this.
                for (int i = 0; i < 100_000 && !Thread.currentThread().isInterrupted(); i++) {
                    out.write('[');
                    out.flush();
                    sleepMs(TRICKLE_EVERY_MS);
                }
            }));
            try {
                final IOException e = assertTimeoutPreemptively(GIVE_UP_WITHIN,
                    () -> assertThrows(IOException.class, () -> RemoteCluster.fetch(url(peer), null, TIMEOUT)));
                assertTrue(e.getMessage().contains("/members: no answer within 500 ms"), e.getMessage());
            } finally {
                trickling.interrupt();
            }
        }
    }

    @Test
    void anErrorStatusNamesIt() throws Exception {
        try (ServerSocket peer = listener()) {
            Thread.ofVirtual().start(() -> serve(peer, out -> {
                out.write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }));
            final IOException e = assertThrows(IOException.class, () -> RemoteCluster.fetch(url(peer), null, TIMEOUT));
            assertTrue(e.getMessage().contains("/members: HTTP 503"), e.getMessage());
        }
    }

    private interface Answer {
        void write(OutputStream out) throws IOException;
    }

    /** Accepts one connection, reads the request's head, and answers it with {@code answer}. */
    private static void serve(final ServerSocket peer, final Answer answer) {
        try (Socket connection = peer.accept()) {
            final InputStream in = connection.getInputStream();
            int matched = 0;
            final byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            while (matched < end.length) {
                final int b = in.read();
                if (b < 0) {
                    return;
                }
                matched = b == end[matched] ? matched + 1 : b == end[0] ? 1 : 0;
            }
            answer.write(connection.getOutputStream());
        } catch (final IOException closedByTheClient) {
            // The fetch gave up and closed the connection: what the tests wait for.
        }
    }

    private static void sleepMs(final long ms) {
        try {
            Thread.sleep(ms);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ServerSocket listener() throws IOException {
        return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    private static List<URI> url(final ServerSocket peer) {
        return List.of(URI.create("http://127.0.0.1:" + peer.getLocalPort()));
    }
}
