package io.cairn.transport;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * Drives one JDK {@link SSLEngine}: the handshake, the mutual certificate checks, the keys and AES-GCM are the
 * engine's; this class only moves bytes through it one record at a time and runs its delegated tasks.
 *
 * <p>Delegated tasks (certificate path validation, key agreement) run inline on the Raft loop: they take a few
 * milliseconds once per handshake, a handshake happens when a peer (re)connects, and handing them to another thread
 * would make the single-owner transport multi-threaded for that rare case.
 */
final class TlsSession {
    /** Source of a wrap that only produces handshake or closing records. */
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final SSLEngine engine;
    private boolean begun;

    TlsSession(final SSLEngine engine) {
        this.engine = engine;
    }

    void begin() throws SSLException {
        engine.beginHandshake();
        begun = true;
        runDelegatedTasks();
    }

    /** The engine has a record to send before it can go on (handshake message, alert, close_notify). */
    boolean wantsWrap() {
        return engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP;
    }

    /** The handshake completed: the peer's certificate passed the trust manager and keys are agreed. */
    boolean handshakeDone() {
        return begun && !engine.isOutboundDone() && !engine.isInboundDone()
            && engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING;
    }

    /**
     * Wraps at most one record: from {@code plaintext} (null: a handshake or closing record only) into {@code dst},
     * which must have {@link SSLSession#getPacketBufferSize} bytes free. Returns the bytes produced.
     */
    int wrap(final ByteBuffer plaintext, final ByteBuffer dst) throws SSLException {
        final SSLEngineResult result = engine.wrap(plaintext == null ? NOTHING : plaintext, dst);
        runDelegatedTasks();
        if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
            throw new IllegalStateException("TLS output buffer below the packet size: " + dst.remaining());
        }
        return result.bytesProduced();
    }

    /** Unwraps one record of {@code src} into {@code dst}, which must have the application buffer size free. */
    SSLEngineResult unwrap(final ByteBuffer src, final ByteBuffer dst) throws SSLException {
        final SSLEngineResult result = engine.unwrap(src, dst);
        runDelegatedTasks();
        return result;
    }

    /** Starts closing: the engine wants to wrap a close_notify next. */
    void closeOutbound() {
        engine.closeOutbound();
    }

    SSLSession sslSession() {
        return engine.getSession();
    }

    private void runDelegatedTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }
}
