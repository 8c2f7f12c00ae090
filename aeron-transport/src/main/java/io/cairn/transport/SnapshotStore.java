package io.cairn.transport;

import io.cairn.raft.Message;
import java.io.IOException;

/**
 * Where the bytes of snapshots come from and go to: the host's, not the transport's. The leader's Raft
 * {@code Message.snapshot().data()} is only a descriptor the host chose (it may be empty); {@link #openSource} turns
 * the message into the bytes to stream, and on the follower {@link #openSink} takes them. The transport holds no
 * snapshot in memory: it reads and writes one chunk at a time through a buffer of {@code snapshotChunkBytes}.
 *
 * <p>Both methods run on the transport's owner thread (the Raft loop), inside {@link AeronTransport#send} and
 * {@link AeronTransport#poll}, so they must not block for long. {@link InMemorySnapshotStore} is the default
 * (today's behaviour: data is the snapshot), {@link FileSnapshotStore} writes received snapshots to files.
 */
public interface SnapshotStore {
    /** The bytes to stream for {@code snapshotMessage}; the transport closes the source when the transfer ends. */
    SnapshotSource openSource(Message snapshotMessage) throws IOException;

    /**
     * Somewhere to write the snapshot {@code fromPeer} begins streaming: {@code sizeBytes} bytes, to be written in
     * order. Throwing refuses the snapshot (the sender is told, and gives it up after a few refusals).
     */
    SnapshotSink openSink(long fromPeer, long snapshotIndex, long snapshotTerm, long sizeBytes) throws IOException;
}
