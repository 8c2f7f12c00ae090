package io.cairn.transport;

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

    /** The transfer ended (delivered, given up, replaced, peer removed, transport closed). */
    @Override
    void close();
}
