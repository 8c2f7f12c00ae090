package io.cairn.transport;

import org.agrona.DirectBuffer;

/**
 * Where one peer's frames on one stream go: straight into the Aeron publication (plaintext) or through the pair's
 * TLS session ({@link TlsLink}). Never waits.
 */
@FunctionalInterface
interface FrameOutput {
    /** The frame was not written because there is no TLS session with the peer yet (or any more). */
    long NO_SESSION = -100;

    /**
     * Writes one whole frame.
     *
     * @return positive when taken; else {@link #NO_SESSION} or one of Aeron's {@code Publication} codes
     *     (BACK_PRESSURED, NOT_CONNECTED, ...), and the frame was dropped
     */
    long offer(DirectBuffer buffer, int offset, int length);
}
