package io.cairn.engine.peer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.cairn.transport.SnapshotUploadAnswer;
import io.cairn.transport.SnapshotUploadRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /cairn/snapshot} on the peer listener: the request reaches the member's intake whole (headers, length,
 * body) and the intake's status and text go back; another method is 405; a listener without an intake has no such
 * path (404, as for an older member, whose peers then use the Aeron stream).
 */
class SnapshotRequestsTest {
    private static final ClusterView VIEW = new ClusterView(1, List.of(), Set.of());

    @Test
    void aPostReachesTheIntakeAndItsAnswerGoesBack() throws IOException {
        final AtomicReference<String> seen = new AtomicReference<>();
        final SnapshotRequests.Intake intake = request -> {
            seen.set(request.header().apply("X-Cairn-From") + " " + request.contentLength() + " "
                + new String(request.body().readAllBytes(), StandardCharsets.UTF_8) + " " + request.sessionOrNull());
            return new SnapshotUploadAnswer(422, "the snapshot's CRC32C does not match its bytes");
        };
        try (PeerHttpServer server = PeerHttpServer.start(URI.create("http://127.0.0.1:0"), null, false, () -> VIEW,
            intake)) {
            final HttpURLConnection post = post(server, "snapshot bytes");
            assertEquals(422, post.getResponseCode());
            assertArrayEquals("the snapshot's CRC32C does not match its bytes".getBytes(StandardCharsets.UTF_8),
                post.getErrorStream().readAllBytes());
            assertEquals("2a 14 snapshot bytes null", seen.get());

            final HttpURLConnection get = open(server);
            assertEquals(405, get.getResponseCode());
            assertEquals("POST", get.getHeaderField("Allow"));
        }
    }

    @Test
    void takenIs204WithNoBody() throws IOException {
        try (PeerHttpServer server = PeerHttpServer.start(URI.create("http://127.0.0.1:0"), null, false, () -> VIEW,
            request -> {
                request.body().readAllBytes();
                return new SnapshotUploadAnswer(204, "");
            })) {
            final HttpURLConnection post = post(server, "x");
            assertEquals(204, post.getResponseCode());
            assertNull(post.getErrorStream());
        }
    }

    @Test
    void withoutAnIntakeThePathIsNotFound() throws IOException {
        try (PeerHttpServer server = PeerHttpServer.start(URI.create("http://127.0.0.1:0"), null, false, () -> VIEW)) {
            assertEquals(404, post(server, "x").getResponseCode());
        }
    }

    private static HttpURLConnection post(final PeerHttpServer server, final String body) throws IOException {
        final HttpURLConnection post = open(server);
        post.setRequestMethod("POST");
        post.setDoOutput(true);
        post.setRequestProperty("X-Cairn-From", "2a");
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        post.setFixedLengthStreamingMode(bytes.length);
        try (OutputStream out = post.getOutputStream()) {
            out.write(bytes);
        }
        return post;
    }

    private static HttpURLConnection open(final PeerHttpServer server) throws IOException {
        return (HttpURLConnection) URI.create("http://127.0.0.1:" + server.address().getPort()
            + SnapshotUploadRequest.PATH).toURL().openConnection(Proxy.NO_PROXY);
    }
}
