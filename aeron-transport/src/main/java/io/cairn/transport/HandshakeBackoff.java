package io.cairn.transport;

/**
 * When one pair may try a TLS handshake again after a failure: the delay doubles from {@link #DELAY_MIN_NS} up to
 * {@link #DELAY_MAX_NS}, so a peer refused for its certificate costs a handshake every 10 s at most, not a busy
 * loop of handshakes (each one is milliseconds of public-key work on a 2-core machine), and a verified session
 * brings the delay back to its minimum.
 */
final class HandshakeBackoff {
    static final long DELAY_MIN_NS = 100_000_000L;
    static final long DELAY_MAX_NS = 10_000_000_000L;

    private long delayNs = DELAY_MIN_NS;
    private long notBeforeNs;
    private boolean waiting;

    boolean allows(final long nowNs) {
        return !waiting || nowNs - notBeforeNs >= 0;
    }

    /** A handshake failed at {@code nowNs}: none before the current delay, which then doubles. */
    void failed(final long nowNs) {
        waiting = true;
        notBeforeNs = nowNs + delayNs;
        delayNs = Math.min(2 * delayNs, DELAY_MAX_NS);
    }

    /** The peer was heard through a verified session: the next failure waits the minimum again. */
    void succeeded() {
        waiting = false;
        delayNs = DELAY_MIN_NS;
    }

    long delayNs() {
        return delayNs;
    }
}
