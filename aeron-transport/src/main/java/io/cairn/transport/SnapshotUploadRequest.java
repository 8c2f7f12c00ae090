package io.cairn.transport;

import java.io.InputStream;
import java.util.function.Function;
import javax.net.ssl.SSLSession;

/**
 * A snapshot a peer sent over TCP, as the host's peer HTTP listener hands it to {@link AeronTransport#receiveSnapshot}
 * ({@code POST /cairn/snapshot}).
 *
 * @param header        a request header's value by name, or null
 * @param contentLength the request's Content-Length
 * @param body          the request body
 * @param sessionOrNull the request's TLS session (https), for etcd's {@code --peer-cert-allowed-cn}
 */
public record SnapshotUploadRequest(Function<String, String> header, long contentLength, InputStream body,
                                    SSLSession sessionOrNull) {
    /** The path a sender posts to and the host's listener serves: one constant for both ends. */
    public static final String PATH = "/cairn/snapshot";
}
