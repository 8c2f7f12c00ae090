package io.cairn.engine.peer;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 request over a plain socket and the answer exactly as it came back, for comparing
 * bytes with etcd's (a client library would normalise what matters here).
 */
record RawHttp(String statusLine, Map<String, String> headers, String body) {
    private static final int TIMEOUT_MILLIS = 5_000;
    private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};

    /**
     * Sends {@code requestLine} with a Host header and Connection: close, and reads the head and
     * then Content-Length bytes of body (etcd's peer listener closes the connection only when its
     * 5 s read deadline passes, so reading to the end would wait for that).
     */
    static RawHttp exchange(final int port, final String requestLine) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(TIMEOUT_MILLIS);
            final OutputStream out = socket.getOutputStream();
            out.write((requestLine + "\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            final InputStream in = new BufferedInputStream(socket.getInputStream());
            final ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < HEAD_END.length) {
                final int b = in.read();
                if (b < 0) {
                    return new RawHttp(head.toString(StandardCharsets.ISO_8859_1), Map.of(), "");
                }
                head.write(b);
                matched = b == HEAD_END[matched] ? matched + 1 : b == HEAD_END[0] ? 1 : 0;
            }
            final String[] lines = head.toString(StandardCharsets.ISO_8859_1).strip().split("\r\n");
            final Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                final int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).strip());
            }
            final String length = headers.get("content-length");
            final byte[] body = length == null ? in.readAllBytes() : in.readNBytes(Integer.parseInt(length));
            return new RawHttp(lines[0], headers, new String(body, StandardCharsets.UTF_8));
        }
    }

    /** A header's value by its name in any letter case; null when absent. */
    String header(final String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }
}
