package io.cairn.transport;

/**
 * Logs why TLS with one peer fails, once: the first failure at WARNING, later ones at DEBUG until the peer is heard
 * through a verified session again. A peer refused for its certificate retries for as long as it runs, and each try
 * would otherwise add a line; the counters ({@link TransportCounters#tlsHandshakesRefused} and
 * {@link TransportCounters#tlsSessionsFailed}) still count every one. Shared by the peer's two streams, which fail
 * for the same reason.
 */
final class TlsFailureLog {
    private static final System.Logger LOG = System.getLogger(TlsLink.class.getName());

    private final long memberId;
    private final long peerId;
    private boolean logged;

    TlsFailureLog(final long memberId, final long peerId) {
        this.memberId = memberId;
        this.peerId = peerId;
    }

    void failure(final String stream, final String what, final String reason) {
        final String line = "member " + Long.toHexString(memberId) + ": TLS with peer " + Long.toHexString(peerId) + " (" + stream + "): " + what + ": " + reason;
        if (!logged) {
            logged = true;
            LOG.log(System.Logger.Level.WARNING, line + " (retrying with back-off; further failures are logged at"
                + " DEBUG until a session succeeds)");
        } else {
            LOG.log(System.Logger.Level.DEBUG, line);
        }
    }

    void peerVerified() {
        logged = false;
    }
}
