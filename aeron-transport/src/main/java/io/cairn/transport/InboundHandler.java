package io.cairn.transport;

import io.cairn.raft.Message;

/** What {@link AeronTransport#poll} hands to the Raft loop, on the Raft loop's own thread. */
public interface InboundHandler {
    /**
     * A message for {@code RaftNode.step}. SNAPSHOT messages arrive once their checksum verified and the store's sink
     * completed; their {@code snapshot().data()} is what {@link SnapshotSink#complete} returned (the bytes, or a path).
     */
    void onMessage(Message message);

    /**
     * A snapshot this member sent finished: delivered (the peer verified and took it) or given up (the peer stayed
     * silent too long). Hosts pass it to {@code RaftNode.reportSnapshot}.
     */
    default void onSnapshotStatus(final long peerId, final long snapshotIndex, final boolean delivered) {
    }
}
