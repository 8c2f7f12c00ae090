package io.cairn.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.cairn.raft.ConfState;
import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import io.cairn.raft.Snapshot;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots over TCP ({@link HttpSnapshots}): member 1 posts a snapshot to member 2's peer URL, where a small HTTP
 * server stands in for the engine's peer listener and hands each request to {@link AeronTransport#receiveSnapshot}.
 * The bytes arrive whole in a file, or not at all; a peer without the endpoint gets the Aeron stream instead.
 */
class HttpSnapshotTransferTest {
    /** Not a multiple of the upload's buffer: the last write is a short one. */
    private static final long SNAPSHOT_BYTES = (3L << 20) + 17;
    private static final long INDEX = 700;

    @TempDir
    Path dir;

    @Test
    void aSnapshotCrossesOverTcpWholeIntoAFile() throws IOException {
        try (TestNodes nodes = start(); Listener _ = endpoint(nodes.node(2), body -> body)) {
            assertTrue(nodes.node(1).send(snapshotMessage()));
            nodes.pollUntil("the snapshot delivered", () -> !nodes.inbox(1).snapshotStatuses.isEmpty());
            assertEquals(List.of("2:" + INDEX + ":true"), nodes.inbox(1).snapshotStatuses);
            final Message received = nodes.inbox(2).messages.getFirst();
            assertEquals(MessageType.SNAPSHOT, received.type());
            assertEquals(INDEX, received.snapshot().index());
            assertEquals(ConfState.ofVoters(1L, 2L, 3L), received.snapshot().confState());
            final byte[] bytes = Files.readAllBytes(FileSnapshotStore.receivedFile(received));
            assertEquals(SNAPSHOT_BYTES, bytes.length);
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] != PatternBytes.at(i)) {
                    throw new AssertionError("wrong byte at " + i);
                }
            }
            assertEquals(0, nodes.node(1).counters().snapshotChunksSent.get(), "nothing went on the Aeron stream");
            assertEquals(1, nodes.node(1).counters().snapshotsSent.get());
            assertEquals(1, nodes.node(2).counters().snapshotsReceived.get());
        }
    }

    @Test
    void aBodyChangedOnTheWayIsRefusedAndLeavesNoFile() throws IOException {
        final UnaryOperator<byte[]> flipOneByte = body -> {
            body[body.length / 2] ^= 1;
            return body;
        };
        try (TestNodes nodes = start(); Listener _ = endpoint(nodes.node(2), flipOneByte)) {
            assertTrue(nodes.node(1).send(snapshotMessage()));
            nodes.pollUntil("the snapshot refused", () -> !nodes.inbox(1).snapshotStatuses.isEmpty());
            assertEquals(List.of("2:" + INDEX + ":false"), nodes.inbox(1).snapshotStatuses);
            assertEquals(List.of(), nodes.inbox(2).messages);
            assertEquals(1, nodes.node(2).counters().snapshotChunksCorrupt.get());
        }
        assertEquals(List.of(), filesIn(dir.resolve("follower")));
    }

    @Test
    void aPeerWithoutTheEndpointGetsTheAeronStream() throws IOException {
        try (TestNodes nodes = start(); Listener _ = notFound(nodes.node(2))) {
            assertTrue(nodes.node(1).send(snapshotMessage()));
            nodes.pollUntil("the snapshot delivered", () -> !nodes.inbox(1).snapshotStatuses.isEmpty());
            assertEquals(List.of("2:" + INDEX + ":true"), nodes.inbox(1).snapshotStatuses);
            assertTrue(nodes.node(1).counters().snapshotChunksSent.get() > 0, "sent on the Aeron stream");
            assertEquals(SNAPSHOT_BYTES,
                Files.size(FileSnapshotStore.receivedFile(nodes.inbox(2).messages.getFirst())));
        }
    }

    @Test
    void requestsNotFromAPeerOfThisClusterToThisMemberAreRefused() throws IOException {
        try (TestNodes nodes = start()) {
            final AeronTransport node2 = nodes.node(2);
            final Map<String, String> good = new SnapshotUploadHead(TestNodes.CLUSTER_ID, snapshotMessage(), 4)
                .headers();
            assertEquals(403, refusal(node2, with(good, "X-Cairn-Cluster-Id", "c0ffef"), 8));
            assertEquals(403, refusal(node2, with(good, "X-Cairn-To", "3"), 8));
            assertEquals(403, refusal(node2, with(good, "X-Cairn-From", "9"), 8));
            assertEquals(400, refusal(node2, with(good, "X-Cairn-Snapshot-Index", "-1"), 8));
            assertEquals(400, refusal(node2, with(good, "X-Cairn-Voters", "1,,2"), 8));
            assertEquals(400, refusal(node2, good, 7), "a Content-Length that is not the size and the CRC");
        }
        assertEquals(List.of(), filesIn(dir.resolve("follower")));
    }

    /**
     * A sender that vanished without closing its connection: the body stops moving. The JDK's HTTP server has no
     * read time-out, so the receiving thread waited for ever and kept its partial file; the owner now cuts the read
     * off after the upload's stall time: its interrupt closes the connection's channel under the blocked read
     * (red without the cut-off: the receive never ends).
     */
    @Test
    void aBodyThatStopsMovingIsCutOffAndLeavesNoFile() throws Exception {
        final long ackTimeoutNs = TimeUnit.MILLISECONDS.toNanos(50);
        try (TestNodes nodes = start(c -> c.withSnapshotFlow(c.snapshot().chunkBytes(), c.snapshot().windowChunks(),
            c.snapshot().chunksPerPoll(), ackTimeoutNs))) {
            final AeronTransport node2 = nodes.node(2);
            final long sizeBytes = 1 << 20;
            final Map<String, String> head = new SnapshotUploadHead(TestNodes.CLUSTER_ID, snapshotMessage(), sizeBytes)
                .headers();
            final CompletableFuture<SnapshotUploadAnswer> answer = new CompletableFuture<>();
            try (Listener _ = streamingEndpoint(node2, answer);
                 Socket sender = new Socket("127.0.0.1", node2.config().listenUrl().port())) {
                final StringBuilder request = new StringBuilder("POST " + SnapshotUploadRequest.PATH + " HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1\r\nContent-Length: ").append(sizeBytes + SnapshotUploadHead.CRC_BYTES)
                    .append("\r\n");
                head.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
                final OutputStream out = sender.getOutputStream();
                out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[1000]); // a first kilobyte, then nothing more, and the connection stays open
                out.flush();
                nodes.pollUntil("the stalled body cut off", answer::isDone);
            }
            assertEquals(500, answer.join().status(), answer.join().text());
            assertEquals(1, node2.counters().snapshotsFailed.get());
        }
        assertEquals(List.of(), filesIn(dir.resolve("follower")));
    }

    private static int refusal(final AeronTransport node, final Map<String, String> headers, final long length) {
        return node.receiveSnapshot(new SnapshotUploadRequest(headers::get, length,
            new ByteArrayInputStream(new byte[(int) length]), null)).status();
    }

    private static Map<String, String> with(final Map<String, String> headers, final String name, final String value) {
        final Map<String, String> changed = new HashMap<>(headers);
        changed.put(name, value);
        return changed;
    }

    private TestNodes start() throws IOException {
        return start(UnaryOperator.identity());
    }

    private TestNodes start(final UnaryOperator<TransportConfig> adjust) throws IOException {
        final SnapshotStore leader = new FileSnapshotStore(dir.resolve("leader"),
            m -> PatternBytes.source(SNAPSHOT_BYTES));
        final SnapshotStore follower = new FileSnapshotStore(dir.resolve("follower"), m -> {
            throw new AssertionError("the follower sends no snapshot");
        });
        final TestNodes nodes = new TestNodes();
        final List<SnapshotStore> stores = List.of(leader, follower);
        for (int i = 0; i < stores.size(); i++) {
            final TransportConfig config = adjust.apply(
                TestNodes.config(TestNodes.CLUSTER_ID, i + 1, TestNodes.freeUdpPort()).withSnapshotsOverTcp(true));
            nodes.transports.add(AeronTransport.launch(config, stores.get(i), null, null, null));
            nodes.inboxes.add(new TestNodes.Inbox());
        }
        nodes.connectAll();
        nodes.awaitConnected();
        return nodes;
    }

    private static Message snapshotMessage() {
        return new Message(MessageType.SNAPSHOT, 1, 2, 5, 0, 0, List.of(), 0, false, 0,
            new Snapshot(INDEX, 4, ConfState.ofVoters(1L, 2L, 3L), new byte[0]), 0);
    }

    /** A test HTTP server that try-with-resources stops. */
    private record Listener(HttpServer server) implements AutoCloseable {
        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** Member 2's peer listener, in little: POST /cairn/snapshot, the body through {@code tamper} on the way. */
    private static Listener endpoint(final AeronTransport node, final UnaryOperator<byte[]> tamper)
        throws IOException {
        final HttpServer server = listenerOn(node);
        server.createContext(SnapshotUploadRequest.PATH, exchange -> {
            final long length = Long.parseLong(exchange.getRequestHeaders().getFirst("Content-Length"));
            final InputStream body = new ByteArrayInputStream(tamper.apply(exchange.getRequestBody().readAllBytes()));
            final SnapshotUploadAnswer answer = node.receiveSnapshot(new SnapshotUploadRequest(
                exchange.getRequestHeaders()::getFirst, length, body, null));
            answer(exchange, answer.status(), answer.text());
        });
        server.start();
        return new Listener(server);
    }

    /** Member 2's peer listener as the engine's is: the body streamed to the transport as it arrives. */
    private static Listener streamingEndpoint(final AeronTransport node,
        final CompletableFuture<SnapshotUploadAnswer> answered) throws IOException {
        final HttpServer server = listenerOn(node);
        server.createContext(SnapshotUploadRequest.PATH, exchange -> {
            final long length = Long.parseLong(exchange.getRequestHeaders().getFirst("Content-Length"));
            final SnapshotUploadAnswer answer = node.receiveSnapshot(new SnapshotUploadRequest(
                exchange.getRequestHeaders()::getFirst, length, exchange.getRequestBody(), null));
            answered.complete(answer);
            exchange.close();
        });
        server.setExecutor(task -> Thread.ofVirtual().start(task)); // as PeerHttpServer's
        server.start();
        return new Listener(server);
    }

    /** An older member's peer listener: it has no such endpoint. */
    private static Listener notFound(final AeronTransport node) throws IOException {
        final HttpServer server = listenerOn(node);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            answer(exchange, 404, "404 page not found");
        });
        server.start();
        return new Listener(server);
    }

    private static HttpServer listenerOn(final AeronTransport node) throws IOException {
        // The TCP port of the peer URL, as the engine's peer listener has it; Aeron holds the UDP one.
        return HttpServer.create(new InetSocketAddress("127.0.0.1", node.config().listenUrl().port()), 4);
    }

    private static void answer(final HttpExchange exchange, final int status, final String text) throws IOException {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, status == 204 ? -1 : bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            if (status != 204) {
                out.write(bytes);
            }
        }
    }

    private static List<Path> filesIn(final Path directory) throws IOException {
        try (var files = Files.list(directory)) {
            return files.toList();
        }
    }
}
