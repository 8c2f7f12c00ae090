package io.cairn.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A refused peer is retried ever more slowly, up to the cap, and a verified session starts over. */
class HandshakeBackoffTest {
    private static final long MS = 1_000_000L;

    @Test
    void delaysDoubleUpToTheCapAndResetOnSuccess() {
        final HandshakeBackoff backoff = new HandshakeBackoff();
        final long t0 = 5_000 * MS;
        assertTrue(backoff.allows(t0), "the first handshake goes at once");
        backoff.failed(t0);
        assertFalse(backoff.allows(t0 + 99 * MS));
        assertTrue(backoff.allows(t0 + 100 * MS));
        backoff.failed(t0 + 100 * MS);
        assertFalse(backoff.allows(t0 + 299 * MS));
        assertTrue(backoff.allows(t0 + 300 * MS));
        long now = t0 + 300 * MS;
        for (int i = 0; i < 20; i++) {
            backoff.failed(now);
            now += HandshakeBackoff.DELAY_MAX_NS;
        }
        assertEquals(HandshakeBackoff.DELAY_MAX_NS, backoff.delayNs(), "capped");
        backoff.failed(now);
        assertFalse(backoff.allows(now + HandshakeBackoff.DELAY_MAX_NS - 1));
        assertTrue(backoff.allows(now + HandshakeBackoff.DELAY_MAX_NS));
        backoff.succeeded();
        assertTrue(backoff.allows(now), "a verified session clears the wait");
        assertEquals(HandshakeBackoff.DELAY_MIN_NS, backoff.delayNs());
    }
}
