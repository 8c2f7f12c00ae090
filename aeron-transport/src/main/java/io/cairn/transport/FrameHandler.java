package io.cairn.transport;

import org.agrona.DirectBuffer;

/** Receives one whole SBE frame (Aeron fragments already reassembled). The buffer is valid only during the call. */
@FunctionalInterface
public interface FrameHandler {
    void onFrame(DirectBuffer buffer, int offset, int length);
}
