package io.cairn.transport;

import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import javax.net.ssl.HttpsURLConnection;

/**
 * One snapshot sent to one peer over TCP, on a thread of its own: {@code POST /cairn/snapshot} on the peer URL with
 * the head in headers ({@link SnapshotUploadHead}) and the bytes, then their CRC32C, as a fixed-length body. The
 * kernel segments and acknowledges: one write per buffer of {@link #BUFFER_BYTES}, where the Aeron stream paid two
 * syscalls per 1,408-byte datagram. Ends with exactly one {@link Outcome}; {@link #cancel} cuts it short.
 */
final class SnapshotUpload implements Runnable {
    static final int BUFFER_BYTES = 1 << 20;
    static final int CONNECT_TIMEOUT_MS = 5_000;
    /** The receiver answers once the bytes are synced and renamed: seconds for gigabytes on a slow disk. */
    static final int ANSWER_TIMEOUT_MS = 120_000;

    /** How an upload ended. */
    enum Result {
        /** The peer verified the bytes and handed the snapshot to its Raft loop. */
        DELIVERED,
        /** The peer has no such endpoint (an older member): send the snapshot over the Aeron stream instead. */
        UNSUPPORTED,
        /** Anything else: refused, cut off, cancelled, or the source failed. Raft sends a snapshot again later. */
        FAILED
    }

    record Outcome(SnapshotUpload upload, Result result) {
    }

    private final URI target;
    private final PeerTls tlsOrNull;
    private final PeerCertificateCheck certificateCheck;
    private final SnapshotUploadHead head;
    private final SnapshotSource source;
    private final Consumer<Outcome> done;
    private final long delayMs;
    private volatile boolean cancelled;
    private volatile HttpURLConnection connection;
    /** When the upload last moved (System.nanoTime): started, connected, or wrote a buffer. */
    private volatile long lastProgressNanos = System.nanoTime();

    /**
     * @param certificateCheck etcd's --peer-cert-allowed-cn for the peer's certificate; null without TLS
     * @param delayMs          how long to wait before connecting: the back-off after failed uploads to this peer
     */
    SnapshotUpload(final PeerUrl peer, final PeerTls tlsOrNull, final PeerCertificateCheck certificateCheck,
                   final SnapshotUploadHead head, final SnapshotSource source, final long delayMs,
                   final Consumer<Outcome> done) {
        this.target = URI.create((peer.secure() ? "https://" : "http://") + peer.udpEndpoint()
            + SnapshotUploadRequest.PATH);
        this.tlsOrNull = tlsOrNull;
        this.certificateCheck = certificateCheck;
        this.head = head;
        this.source = source;
        this.delayMs = delayMs;
        this.done = done;
    }

    SnapshotUploadHead head() {
        return head;
    }

    /**
     * Whether nothing moved for {@code stallNanos} (a peer that stopped reading, or never answers) and the upload is
     * not already being cut off.
     */
    boolean stalled(final long nowNanos, final long stallNanos) {
        return !cancelled && nowNanos - lastProgressNanos > stallNanos;
    }

    /** Ends the upload (any thread): the connection is closed under the writing thread. */
    void cancel() {
        cancelled = true;
        final HttpURLConnection open = connection;
        if (open != null) {
            open.disconnect();
        }
    }

    @Override
    public void run() {
        Result result = Result.FAILED;
        try {
            result = send();
        } catch (final IOException | RuntimeException e) {
            if (!cancelled) {
                System.getLogger(SnapshotUpload.class.getName()).log(System.Logger.Level.WARNING, "snapshot "
                    + head.message().snapshot().index() + " to " + Long.toHexString(head.message().to()) + " at "
                    + target + ": " + e);
            }
        } finally {
            source.close();
            final HttpURLConnection open = connection;
            if (open != null) {
                open.disconnect();
            }
            done.accept(new Outcome(this, cancelled ? Result.FAILED : result));
        }
    }

    private Result send() throws IOException {
        final long until = System.nanoTime() + delayMs * 1_000_000;
        while (!cancelled && System.nanoTime() - until < 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(until - System.nanoTime(), 50_000_000));
        }
        final HttpURLConnection post = (HttpURLConnection) target.toURL().openConnection(Proxy.NO_PROXY);
        if (post instanceof HttpsURLConnection https) {
            if (tlsOrNull == null) {
                throw new IOException("an https peer URL, and this member has no peer TLS");
            }
            // The JDK's host name check stays on: the peer's certificate must name the host dialed.
            https.setSSLSocketFactory(tlsOrNull.sslContext().getSocketFactory());
        }
        connection = post;
        if (cancelled) {
            return Result.FAILED;
        }
        post.setRequestMethod("POST");
        post.setDoOutput(true);
        post.setUseCaches(false);
        post.setInstanceFollowRedirects(false);
        post.setConnectTimeout(CONNECT_TIMEOUT_MS);
        post.setReadTimeout(ANSWER_TIMEOUT_MS);
        post.setRequestProperty("Content-Type", "application/octet-stream");
        for (final Map.Entry<String, String> header : head.headers().entrySet()) {
            post.setRequestProperty(header.getKey(), header.getValue());
        }
        post.setFixedLengthStreamingMode(head.sizeBytes() + SnapshotUploadHead.CRC_BYTES);
        post.connect();
        lastProgressNanos = System.nanoTime();
        if (post instanceof HttpsURLConnection https) {
            // etcd's --peer-cert-allowed-cn holds on both ends, as on the Aeron stream.
            final String refusal = certificateCheck.refusal(https.getServerCertificates());
            if (refusal != null) {
                throw new IOException(refusal);
            }
        }
        final CRC32C crc = new CRC32C();
        final ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(BUFFER_BYTES, Math.max(head.sizeBytes(), 1)));
        try (OutputStream body = post.getOutputStream()) {
            long offset = 0;
            while (offset < head.sizeBytes()) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), head.sizeBytes() - offset));
                while (buffer.hasRemaining()) {
                    if (source.read(offset + buffer.position(), buffer) <= 0) {
                        throw new IOException("the source ended at " + (offset + buffer.position()) + " of its "
                            + head.sizeBytes() + " bytes");
                    }
                }
                crc.update(buffer.array(), 0, buffer.limit());
                body.write(buffer.array(), 0, buffer.limit());
                offset += buffer.limit();
                lastProgressNanos = System.nanoTime();
            }
            body.write(ByteBuffer.allocate(SnapshotUploadHead.CRC_BYTES).putInt((int) crc.getValue()).array());
        }
        final int status = post.getResponseCode();
        if (status == HttpURLConnection.HTTP_NO_CONTENT) {
            return Result.DELIVERED;
        }
        if (status == HttpURLConnection.HTTP_NOT_FOUND || status == HttpURLConnection.HTTP_BAD_METHOD) {
            return Result.UNSUPPORTED;
        }
        throw new IOException("HTTP " + status + " " + post.getResponseMessage());
    }
}
