package io.cairn.transport;

import io.cairn.raft.Message;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The default store: a snapshot's bytes are its Raft {@code data} array on both sides, so a snapshot costs its size
 * in heap at each end and is limited to {@code bytesMax} (at most one Java array). Hosts with large state pass a
 * store that streams from and to files instead ({@link FileSnapshotStore}).
 */
public final class InMemorySnapshotStore implements SnapshotStore {
    private final long bytesMax;

    /** @param bytesMax the largest snapshot accepted (a sink above it is refused); at most one array's length */
    public InMemorySnapshotStore(final long bytesMax) {
        if (bytesMax < 0 || bytesMax > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("bytesMax " + bytesMax + " must fit one array");
        }
        this.bytesMax = bytesMax;
    }

    @Override
    public SnapshotSource openSource(final Message snapshotMessage) {
        return of(snapshotMessage.snapshot().data());
    }

    /** A source over {@code data}. */
    public static SnapshotSource of(final byte[] data) {
        return new SnapshotSource() {
            @Override
            public long sizeBytes() {
                return data.length;
            }

            @Override
            public int read(final long offsetBytes, final ByteBuffer dst) {
                final int length = (int) Math.min(dst.remaining(), data.length - offsetBytes);
                dst.put(data, (int) offsetBytes, length);
                return length;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public SnapshotSink openSink(final long fromPeer, final long snapshotIndex, final long snapshotTerm,
                                 final long sizeBytes) throws IOException {
        if (sizeBytes < 0 || sizeBytes > bytesMax) {
            throw new IOException("a snapshot of " + sizeBytes + " bytes is above the in-memory limit of " + bytesMax);
        }
        final byte[] data = new byte[(int) sizeBytes];
        return new SnapshotSink() {
            @Override
            public void write(final long offsetBytes, final ByteBuffer src) {
                src.get(data, (int) offsetBytes, src.remaining());
            }

            @Override
            public byte[] complete() {
                return data;
            }

            @Override
            public void abort() {
            }
        };
    }
}
