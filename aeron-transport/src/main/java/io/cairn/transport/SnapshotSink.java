package io.cairn.transport;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where one incoming snapshot is written, in order: each {@link #write} continues where the previous one ended,
 * after its chunk's CRC32C was verified. Exactly one of {@link #complete} and {@link #abort} ends it. Used on the
 * transport's owner thread.
 */
public interface SnapshotSink {
    /** Writes {@code src}'s remaining bytes at {@code offsetBytes} (the bytes written so far), consuming them. */
    void write(long offsetBytes, ByteBuffer src) throws IOException;

    /**
     * Every byte was written and the whole snapshot's CRC32C matched: make it durable (fsync) if it is to be, and
     * return what the delivered SNAPSHOT message carries as {@code snapshot().data()}: the bytes themselves for an
     * in-memory sink, a file's path for a file sink. Throwing rejects the snapshot (the sender starts again); the
     * sink must then have cleaned up as {@link #abort} does.
     */
    byte[] complete() throws IOException;

    /** The transfer was rejected, replaced, or abandoned: discard what was written (delete partial files). */
    void abort();
}
