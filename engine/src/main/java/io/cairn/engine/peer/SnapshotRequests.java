package io.cairn.engine.peer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsExchange;
import io.cairn.transport.SnapshotUploadAnswer;
import io.cairn.transport.SnapshotUploadRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLSession;

/**
 * {@code POST /cairn/snapshot} on the peer port: a snapshot a peer sends over TCP, as etcd posts its snapshots to
 * {@code /raft/snapshot} on the same listener. The request goes whole to the member's transport ({@link Intake});
 * this class only speaks HTTP: 405 for another method, 411 without a Content-Length, and the transport's status
 * and text otherwise.
 */
public final class SnapshotRequests implements HttpHandler {
    /** What takes the request: the member's transport (RaftKeyValueStore#receiveSnapshot). */
    @FunctionalInterface
    public interface Intake {
        SnapshotUploadAnswer receive(SnapshotUploadRequest request) throws IOException;
    }

    private final Intake intake;

    SnapshotRequests(final Intake intake) {
        this.intake = intake;
    }

    @Override
    public void handle(final HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "POST");
                answer(exchange, new SnapshotUploadAnswer(405, "Method Not Allowed"));
                return;
            }
            final long contentLength;
            try {
                contentLength = Long.parseLong(String.valueOf(exchange.getRequestHeaders().getFirst("Content-Length")));
            } catch (final NumberFormatException e) {
                answer(exchange, new SnapshotUploadAnswer(411, "Length Required"));
                return;
            }
            final SSLSession session = exchange instanceof HttpsExchange https ? https.getSSLSession() : null;
            answer(exchange, intake.receive(new SnapshotUploadRequest(exchange.getRequestHeaders()::getFirst,
                contentLength, exchange.getRequestBody(), session)));
        }
    }

    private static void answer(final HttpExchange exchange, final SnapshotUploadAnswer answer) throws IOException {
        final byte[] text = answer.text().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(answer.status(), answer.status() == 204 || text.length == 0 ? -1 : text.length);
        if (answer.status() != 204 && text.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(text);
            }
        }
    }
}
