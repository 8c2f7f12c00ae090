package io.cairn.transport;

import io.cairn.raft.Snapshot;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The bytes of one outgoing snapshot, read at any offset: go-back-N resends read a range again. A B+tree image
 * ({@code io.cairn.btree.TreeImage}) has exactly this shape. Used and closed on the transport's owner thread.
 */
public interface SnapshotSource extends AutoCloseable {
    /** The snapshot's length; fixed for the source's life. */
    long sizeBytes();

    /**
     * Copies {@code min(dst.remaining(), sizeBytes() - offsetBytes)} bytes at {@code offsetBytes} into {@code dst}
     * at its position, advancing the position.
     *
     * @return the bytes copied
     */
    int read(long offsetBytes, ByteBuffer dst) throws IOException;

    /**
     * The snapshot these bytes really are, given the one Raft asked to send. A source may hold a newer one (a live
     * B+tree image is applied past the index Raft's log was compacted at): then it names that index, its term and
     * the membership there, so the follower's Raft starts exactly where the bytes do. By default, the one asked.
     */
    default Snapshot describe(final Snapshot asked) {
        return asked;
    }

    /** The transfer ended (delivered, given up, replaced, peer removed, transport closed). */
    @Override
    void close();
}
