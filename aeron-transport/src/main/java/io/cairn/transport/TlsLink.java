package io.cairn.transport;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One TLS session with one peer on one stream, carried by Aeron: our publication to the peer is one direction, the
 * peer's publication (an image on our subscription) the other. Aeron delivers each image's messages reliably and in
 * order, which is all TLS needs. Every record, handshake or application data, is one Aeron message behind a
 * cleartext {@link TlsEnvelope}.
 *
 * <p>The frames are a stream inside TLS: each is a 4-byte little-endian length and the frame, cut into records of at
 * most 16 KiB of plaintext, so a 1 MiB snapshot chunk goes out as 64 records and comes back as one frame.
 *
 * <p>A session is tied to the image its records come on: a new image (the peer restarted, or Aeron timed the old
 * one out and records may be missing) ends it, and a new handshake begins. So does a record that does not decrypt.
 * Frames of a peer without a session are dropped and counted, never decrypted or decoded. Failed handshakes are
 * retried with back-off ({@link HandshakeBackoff}) and logged once ({@link TlsFailureLog}).
 *
 * <p>Sending never waits. A frame is taken only when the publication has room for all its records; if a record still
 * cannot be written (the term rotated, the peer went), it is kept and written first on the next poll, since a TLS
 * record once produced carries a sequence number and must reach the peer. Until then further frames are refused as
 * back-pressured. Buffers are allocated with the link and grow only to the largest frame; nothing is allocated per
 * frame here (the JDK's engine allocates a little per record itself).
 */
final class TlsLink implements FrameOutput {
    static final long HANDSHAKE_TIMEOUT_NS = 5_000_000_000L;
    private static final long NO_IMAGE = Long.MIN_VALUE;
    /** TLS 1.3 adds at most this much to a record's plaintext (header, content type, tag, padding we never ask). */
    private static final int RECORD_OVERHEAD_BYTES = 256;
    /** Aeron's frame header plus alignment, per fragment, for the room check. */
    private static final int FRAGMENT_OVERHEAD_BYTES = 64;
    private static final int PLAINTEXT_RECORD_BYTES = 16 * 1024;

    private enum State { IDLE, HANDSHAKING, ESTABLISHED }

    private final TlsLinks links;
    private final long peerId;
    private final PeerUrl peerUrl;
    private final String stream;
    private final ExclusivePublication publication;
    private final FrameHandler target;
    private final TlsFailureLog failureLog;
    private final TransportCounters counters;
    private final boolean client;
    private final int frameBytesMax;
    private final HandshakeBackoff backoff = new HandshakeBackoff();

    private State state = State.IDLE;
    private TlsSession session;
    /** The session's name in every envelope; 0 when there is none. */
    private long epoch;
    /** The Aeron image the session's records come on, once known. */
    private long sessionImageId = NO_IMAGE;
    /** The image the peer's last frame came on, session or not: a change is a restarted stream. */
    private long peerImageId = NO_IMAGE;
    private long handshakeStartNs;
    private long nextOpenNs;
    private long nowNs;

    /** One frame being sent: its length prefix and bytes, consumed record by record. Empty when none. */
    private ByteBuffer plainOut;
    private UnsafeBuffer plainOutView;
    /** An envelope and the one record after it, written to the publication when {@code netOutBytes > 0}. */
    private final ByteBuffer netOut;
    private final UnsafeBuffer netOutView;
    private int netOutBytes;
    private final UnsafeBuffer openFrame = new UnsafeBuffer(new byte[TlsEnvelope.HEADER_BYTES]);
    /** One received record. */
    private final ByteBuffer netIn;
    /** Decrypted plaintext: whole frames are handed on from {@code plainInReadOffset}; a partial one waits. */
    private ByteBuffer plainIn;
    private UnsafeBuffer plainInView;
    private int plainInReadOffset;

    TlsLink(final TlsLinks links, final long peerId, final PeerUrl peerUrl, final String stream,
            final ExclusivePublication publication, final FrameHandler target, final TlsFailureLog failureLog) {
        this.links = links;
        this.peerId = peerId;
        this.peerUrl = peerUrl;
        this.stream = stream;
        this.publication = publication;
        this.target = target;
        this.failureLog = failureLog;
        this.counters = links.counters;
        this.client = links.isClientOf(peerId);
        this.frameBytesMax = publication.maxMessageLength();
        this.netOut = ByteBuffer.allocateDirect(TlsEnvelope.HEADER_BYTES + links.packetBytesMax);
        this.netOutView = new UnsafeBuffer(netOut);
        this.netIn = ByteBuffer.allocateDirect(links.packetBytesMax);
        growPlainOut(64 * 1024);
        plainOut.limit(0);
        growPlainIn(2 * links.applicationBytesMax);
    }

    boolean isEstablished() {
        return state == State.ESTABLISHED;
    }

    /**
     * Sends one frame through the session.
     *
     * @return 1 when taken (its records are written now or, failing that, first thing on the next poll); else
     *     {@link #NO_SESSION}, or Aeron's BACK_PRESSURED or NOT_CONNECTED, and nothing was written
     */
    @Override
    public long offer(final DirectBuffer buffer, final int offset, final int length) {
        if (state != State.ESTABLISHED) {
            return NO_SESSION;
        }
        if (!publication.isConnected()) {
            return Publication.NOT_CONNECTED;
        }
        if (netOutBytes > 0 || plainOut.hasRemaining()) {
            if (!pumpOrFail()) {
                return Publication.BACK_PRESSURED; // the previous frame is still going out
            }
            if (state != State.ESTABLISHED) {
                return NO_SESSION;
            }
        }
        final long records = (length + Integer.BYTES) / PLAINTEXT_RECORD_BYTES + 1;
        final long wireBytes = length + Integer.BYTES + records * (TlsEnvelope.HEADER_BYTES + RECORD_OVERHEAD_BYTES);
        final long fragments = wireBytes / publication.maxPayloadLength() + records;
        if (length > frameBytesMax || publication.availableWindow() < wireBytes + fragments * FRAGMENT_OVERHEAD_BYTES) {
            return Publication.BACK_PRESSURED; // checked before the engine sees it: a wrapped record must go out
        }
        if (plainOut.capacity() < Integer.BYTES + length) {
            growPlainOut(Integer.BYTES + length);
        }
        plainOutView.putInt(0, length, ByteOrder.LITTLE_ENDIAN);
        buffer.getBytes(offset, plainOutView, Integer.BYTES, length);
        plainOut.limit(Integer.BYTES + length).position(0);
        pumpOrFail();
        return 1;
    }

    /**
     * Housekeeping, from the owner's poll: writes what back pressure held, starts a handshake (the client, when
     * the back-off allows and the peer's subscription is there), tells a client without a session to start one
     * (the server), and gives up a handshake that takes too long.
     */
    int doWork(final long nowNs) {
        this.nowNs = nowNs;
        int work = 0;
        if (netOutBytes > 0 || plainOut.hasRemaining()) {
            pumpOrFail();
            work++;
        }
        switch (state) {
            case IDLE -> {
                if (client && backoff.allows(nowNs) && publication.isConnected()) {
                    startSession(newEpoch(), NO_IMAGE);
                    work++;
                } else if (!client) {
                    work += announce();
                }
            }
            case HANDSHAKING -> {
                if (session.handshakeDone()) {
                    onHandshakeDoneOrFail(); // finished by a record held back and written just now
                    work++;
                } else if (nowNs - handshakeStartNs > HANDSHAKE_TIMEOUT_NS) {
                    counters.tlsSessionsFailed.increment();
                    failureLog.failure(stream, "handshake", "no answer within "
                        + HANDSHAKE_TIMEOUT_NS / 1_000_000 + " ms");
                    backoff.failed(nowNs);
                    resetSession();
                    work++;
                }
            }
            case ESTABLISHED -> {
            }
        }
        return work;
    }

    /** One Aeron message from the peer, already admitted (this cluster, to us, from this peer). */
    void onFrame(final DirectBuffer buffer, final int offset, final int length, final long imageId) {
        nowNs = System.nanoTime();
        final long frameEpoch = TlsEnvelope.epoch(buffer, offset);
        final boolean newImage = imageId != peerImageId;
        peerImageId = imageId;
        if (newImage && state != State.IDLE && sessionImageId != NO_IMAGE) {
            // The peer's stream restarted (its process, or Aeron gave the old image up): records of the session may
            // be missing, and TLS cannot skip one. A new session must begin.
            counters.tlsSessionsRestarted.increment();
            resetSession();
        }
        final int kind = TlsEnvelope.kind(buffer, offset);
        if (kind == TlsEnvelope.KIND_OPEN) {
            onOpen(frameEpoch);
            return;
        }
        final int recordsOffset = offset + TlsEnvelope.HEADER_BYTES;
        final int recordsBytes = length - TlsEnvelope.HEADER_BYTES;
        if (kind != TlsEnvelope.KIND_RECORDS || recordsBytes <= 0 || recordsBytes > netIn.capacity()) {
            counters.framesMalformed.increment();
            return;
        }
        if (!client && frameEpoch != epoch && frameEpoch != 0
            && buffer.getByte(recordsOffset) == TlsEnvelope.CONTENT_TYPE_HANDSHAKE) {
            // A ClientHello for a new session. After a failure only once the back-off allows, unless the peer's
            // stream is new (a restarted peer deserves an answer at once).
            if (!newImage && !backoff.allows(nowNs)) {
                counters.framesBeforeHandshake.increment();
                return;
            }
            if (state != State.IDLE) {
                counters.tlsSessionsRestarted.increment();
                resetSession();
            }
            startSession(frameEpoch, imageId);
        }
        if (state == State.IDLE || frameEpoch != epoch) {
            counters.framesBeforeHandshake.increment();
            if (!client) {
                announce();
            }
            return;
        }
        if (sessionImageId == NO_IMAGE) {
            sessionImageId = imageId;
        }
        netIn.clear();
        buffer.getBytes(recordsOffset, netIn, 0, recordsBytes);
        netIn.limit(recordsBytes);
        try {
            unwrapRecords();
        } catch (final SSLException e) {
            fail(e);
        }
    }

    private void onOpen(final long serverEpoch) {
        if (client && state == State.ESTABLISHED && serverEpoch != epoch) {
            // The server has no session (it restarted, or dropped ours): ours is over, begin another.
            counters.tlsSessionsRestarted.increment();
            resetSession();
        }
    }

    private void unwrapRecords() throws SSLException {
        final TlsSession current = session;
        while (netIn.hasRemaining() && session == current) {
            if (plainIn.remaining() < links.applicationBytesMax) {
                makeRoomInPlainIn();
            }
            final SSLEngineResult result = current.unwrap(netIn, plainIn);
            final boolean stuck = result.bytesConsumed() == 0 && result.bytesProduced() == 0 && !current.wantsWrap();
            switch (result.getStatus()) {
                case CLOSED -> throw new SSLException("the peer closed the session (it may refuse our certificate)");
                case BUFFER_UNDERFLOW -> throw new SSLException("a partial TLS record");
                case BUFFER_OVERFLOW -> throw new SSLException("a TLS record above the application buffer size");
                case OK -> {
                }
            }
            pump(); // handshake replies; the engine may finish only once its own last message is wrapped
            if (state == State.HANDSHAKING && current.handshakeDone()) {
                onHandshakeDone();
            }
            if (session != current) {
                return;
            }
            if (state == State.ESTABLISHED) {
                deliverFrames();
            }
            if (stuck) {
                throw new SSLException("the TLS engine made no progress on a record");
            }
        }
    }

    private void onHandshakeDoneOrFail() {
        try {
            onHandshakeDone();
        } catch (final SSLException e) {
            fail(e);
        }
    }

    private void onHandshakeDone() throws SSLException {
        final String refusal = links.check.refusal(session.sslSession());
        if (refusal != null) {
            counters.tlsHandshakesRefused.increment();
            failureLog.failure(stream, "peer refused", refusal);
            session.closeOutbound();
            pump(); // close_notify: the peer learns the session is over
            backoff.failed(nowNs);
            resetSession();
            return;
        }
        state = State.ESTABLISHED;
        counters.tlsHandshakesCompleted.increment();
    }

    /** Hands every whole frame in plainIn to the target; keeps a partial one. */
    private void deliverFrames() throws SSLException {
        final TlsSession current = session;
        while (session == current) {
            final int available = plainIn.position() - plainInReadOffset;
            if (available < Integer.BYTES) {
                break;
            }
            final int frameBytes = plainInView.getInt(plainInReadOffset, ByteOrder.LITTLE_ENDIAN);
            if (frameBytes < 0 || frameBytes > frameBytesMax) {
                throw new SSLException("a frame of " + frameBytes + " bytes, above " + frameBytesMax);
            }
            if (available < Integer.BYTES + frameBytes) {
                break;
            }
            final int frameOffset = plainInReadOffset + Integer.BYTES;
            plainInReadOffset = frameOffset + frameBytes;
            backoff.succeeded();
            failureLog.peerVerified();
            if (frameBytes < FrameAdmission.ADDRESSED_FRAME_BYTES_MIN
                || plainInView.getLong(frameOffset + 2 * Long.BYTES, ByteOrder.LITTLE_ENDIAN) != peerId) {
                // Any member's certificate opens a session, but it speaks only for the member it was opened with.
                counters.framesSenderMismatch.increment();
                continue;
            }
            target.onFrame(plainInView, frameOffset, frameBytes);
        }
        if (session == current && plainInReadOffset == plainIn.position()) {
            plainIn.clear();
            plainInReadOffset = 0;
        }
    }

    /** Moves a partial frame to the start of plainIn, and grows it if one record still would not fit. */
    private void makeRoomInPlainIn() throws SSLException {
        final int kept = plainIn.position() - plainInReadOffset;
        if (plainInReadOffset > 0) {
            plainIn.flip().position(plainInReadOffset);
            plainIn.compact();
            plainInReadOffset = 0;
        }
        if (plainIn.remaining() < links.applicationBytesMax) {
            final int needed = kept + links.applicationBytesMax;
            if (needed > Integer.BYTES + frameBytesMax + links.applicationBytesMax) {
                throw new SSLException("a frame above " + frameBytesMax + " bytes");
            }
            growPlainIn(Math.max(needed, Math.min(2 * plainIn.capacity(),
                Integer.BYTES + frameBytesMax + links.applicationBytesMax)));
        }
    }

    /** {@link #pump}, with a failure ending the session. False while records are still held back. */
    private boolean pumpOrFail() {
        try {
            return pump();
        } catch (final SSLException e) {
            fail(e);
            return false;
        }
    }

    /**
     * Writes the held record, then wraps and writes one record at a time while the engine has handshake records to
     * send or the frame being sent has plaintext left. False when the publication refused a record (kept for later).
     */
    private boolean pump() throws SSLException {
        while (true) {
            if (netOutBytes > 0) {
                long result = publication.offer(netOutView, 0, netOutBytes);
                if (result == Publication.ADMIN_ACTION) {
                    result = publication.offer(netOutView, 0, netOutBytes); // the term rotated: room in the next
                }
                if (result < 0) {
                    return false;
                }
                netOutBytes = 0;
            }
            if (session == null) {
                return true;
            }
            final boolean sendData = state == State.ESTABLISHED && plainOut.hasRemaining();
            if (!sendData && !session.wantsWrap()) {
                return true;
            }
            netOut.clear().position(TlsEnvelope.HEADER_BYTES);
            final int produced = session.wrap(sendData ? plainOut : null, netOut);
            if (produced == 0) {
                return true;
            }
            TlsEnvelope.write(netOutView, TlsEnvelope.KIND_RECORDS, links.clusterId, links.memberId, peerId, epoch);
            netOutBytes = TlsEnvelope.HEADER_BYTES + produced;
        }
    }

    private void startSession(final long sessionEpoch, final long imageId) {
        epoch = sessionEpoch;
        sessionImageId = imageId;
        handshakeStartNs = nowNs;
        state = State.HANDSHAKING;
        session = new TlsSession(links.newEngine(peerId, peerUrl));
        try {
            session.begin();
            pump();
        } catch (final SSLException e) {
            fail(e);
        }
    }

    /**
     * Ends the session after an engine error: sends the alert the engine prepared (best effort, so the peer learns
     * why), counts, logs once, and backs off before the next handshake.
     */
    private void fail(final SSLException e) {
        final boolean refused = e instanceof SSLHandshakeException;
        if (refused) {
            counters.tlsHandshakesRefused.increment();
        } else {
            counters.tlsSessionsFailed.increment();
        }
        failureLog.failure(stream, refused ? "handshake refused" : "session failed", describe(e));
        if (session != null) {
            try {
                pump();
            } catch (final SSLException | RuntimeException ignored) {
                // The alert is a courtesy; the session ends either way.
            }
        }
        backoff.failed(nowNs);
        resetSession();
    }

    /** Forgets the session and whatever of it was still to be sent or reassembled. */
    private void resetSession() {
        if (session != null) {
            session.closeOutbound();
            session = null;
        }
        state = State.IDLE;
        epoch = 0;
        sessionImageId = NO_IMAGE;
        netOutBytes = 0;
        plainOut.limit(0);
        plainIn.clear();
        plainInReadOffset = 0;
        nextOpenNs = nowNs;
    }

    /**
     * The server's word to a client that talks to it without a session, or to a client it has none with: "start
     * one". Sent at most once per back-off delay, outside TLS; it carries no data, and the worst a forged one does
     * is make a client begin a new handshake.
     */
    private int announce() {
        if (nowNs - nextOpenNs < 0 || !publication.isConnected()) {
            return 0;
        }
        nextOpenNs = nowNs + backoff.delayNs();
        TlsEnvelope.write(openFrame, TlsEnvelope.KIND_OPEN, links.clusterId, links.memberId, peerId, epoch);
        publication.offer(openFrame, 0, TlsEnvelope.HEADER_BYTES);
        return 1;
    }

    private static long newEpoch() {
        long value;
        do {
            value = ThreadLocalRandom.current().nextLong();
        } while (value == 0);
        return value;
    }

    private void growPlainOut(final int capacityBytes) {
        plainOut = ByteBuffer.allocateDirect(capacityBytes);
        plainOutView = new UnsafeBuffer(plainOut);
    }

    private void growPlainIn(final int capacityBytes) {
        final ByteBuffer grown = ByteBuffer.allocateDirect(capacityBytes);
        if (plainIn != null) {
            plainIn.flip();
            grown.put(plainIn);
        }
        plainIn = grown;
        plainInView = new UnsafeBuffer(plainIn);
    }

    /** The exception's message and its causes', which is where the JDK says what was wrong with a certificate. */
    private static String describe(final Throwable e) {
        final StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
                text.append(": ").append(cause.getMessage());
            }
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return "TLS " + stream + " with " + Long.toHexString(peerId) + " " + state;
    }
}
