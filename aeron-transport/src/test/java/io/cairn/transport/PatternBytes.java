package io.cairn.transport;

import java.nio.ByteBuffer;

/** Snapshot bytes that are a function of their offset: a source of any size that holds nothing. */
final class PatternBytes {
    private PatternBytes() {
    }

    static byte at(final long offset) {
        return (byte) ((offset * 0x9E3779B97F4A7C15L) >>> 56);
    }

    /** {@code sizeBytes} pattern bytes. */
    static SnapshotSource source(final long sizeBytes) {
        return new SnapshotSource() {
            @Override
            public long sizeBytes() {
                return sizeBytes;
            }

            @Override
            public int read(final long offsetBytes, final ByteBuffer dst) {
                final int length = (int) Math.min(dst.remaining(), sizeBytes - offsetBytes);
                for (int i = 0; i < length; i++) {
                    dst.put(at(offsetBytes + i));
                }
                return length;
            }

            @Override
            public void close() {
            }
        };
    }
}
