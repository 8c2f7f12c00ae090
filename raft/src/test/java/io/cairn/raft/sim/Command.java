package io.cairn.raft.sim;

import java.nio.ByteBuffer;

/** A client write: client id and that client's sequence number (the thesis' §6.3 session), 16 bytes. */
record Command(int client, long seq) {
    static final int BYTES = 16;

    byte[] encode() {
        return ByteBuffer.allocate(BYTES).putLong(client).putLong(seq).array();
    }

    /** Null for entries that are not client commands (no-ops, conf changes). */
    static Command decode(final byte[] data) {
        if (data.length != BYTES) {
            return null;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(data);
        return new Command(Math.toIntExact(buffer.getLong()), buffer.getLong());
    }
}
