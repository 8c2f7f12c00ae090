package io.cairn.transport;

import io.cairn.raft.ConfState;
import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import io.cairn.raft.Snapshot;
import io.cairn.sbe.raft.BooleanType;
import io.cairn.sbe.raft.MessageHeaderEncoder;
import io.cairn.sbe.raft.SnapshotChunkAckEncoder;
import io.cairn.sbe.raft.SnapshotChunkDecoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Takes the snapshot one peer streams to this member, strictly in order, into a {@link SnapshotSink} of the host's
 * {@link SnapshotStore}, one chunk at a time through a reused buffer; a chunk past a gap makes the receiver ask once for
 * the missing offset, and an earlier chunk is a resend it already has (ignored). Each chunk's CRC32C is checked on
 * arrival, the whole snapshot's after the last chunk; a whole-snapshot mismatch rejects it (the sender restarts).
 * Every in-order chunk is acknowledged with the next offset wanted, which is the sender's flow control. The
 * delivered SNAPSHOT message carries the stream's index, term and configuration, and as data what the sink's
 * {@link SnapshotSink#complete} returned. A rejected, replaced or abandoned transfer aborts its sink.
 */
final class SnapshotReceiver {
    private static final int NONE = -1;

    private final TransportConfig config;
    private final TransportCounters counters;
    private final long peerId;
    private final FrameOutput output;
    private final UnsafeBuffer ackFrame =
        new UnsafeBuffer(new byte[MessageHeaderEncoder.ENCODED_LENGTH + SnapshotChunkAckEncoder.BLOCK_LENGTH]);
    private final UnsafeBuffer stagingView = new UnsafeBuffer(0, 0);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final SnapshotChunkAckEncoder ack = new SnapshotChunkAckEncoder();
    private final CRC32C chunkCrc = new CRC32C();
    private final CRC32C snapshotCrc = new CRC32C();
    private final SnapshotStore store;
    /** One chunk, copied out of the frame to be checked and written; allocated at the first snapshot received. */
    private ByteBuffer staging;

    private long snapshotIndex = NONE;
    private long snapshotTerm;
    private long senderTerm;
    private SnapshotSink sink;
    private long total;
    private ConfState confState;
    private long expectedOffset;
    private long gapReportedAt = NONE;
    /** When the last chunk was taken in order (or the stuck receiver last said where it is), by System.nanoTime. */
    private long lastTakenNs = System.nanoTime();
    private long completedIndex = NONE;
    private long completedTotal;

    SnapshotReceiver(final TransportConfig config, final TransportCounters counters, final long peerId,
                     final FrameOutput output, final SnapshotStore store) {
        this.config = config;
        this.store = store;
        this.counters = counters;
        this.peerId = peerId;
        this.output = output;
    }

    void onChunk(final SnapshotChunkDecoder chunk, final int frameEnd, final InboundHandler handler) {
        final long index = chunk.snapshotIndex();
        final long totalBytes = chunk.totalBytes();
        final long offset = chunk.chunkOffset();
        final long term = chunk.term();
        if (index == completedIndex && index != snapshotIndex) {
            sendAck(index, term, completedTotal, false); // our final ack was lost; the sender is resending
            return;
        }
        if (index != snapshotIndex) {
            if (offset != 0) {
                askFor(index, term, 0);
                return;
            }
            if (totalBytes < 0 || !begin(chunk, index, totalBytes)) {
                counters.snapshotsFailed.increment();
                sendAck(index, term, 0, true);
                return;
            }
        }
        if (totalBytes != total) {
            counters.framesMalformed.increment();
            return;
        }
        if (offset != expectedOffset) {
            counters.snapshotChunksOutOfOrder.increment();
            if (offset > expectedOffset) {
                askFor(index, term, expectedOffset);
            }
            // An earlier chunk is a resend of one we hold (the sender timed out on lost acks). Answering each would
            // repeat an ack the sender has already passed, which it must read as a gap, and every such false gap
            // would send the window again. Silence is right while chunks are being taken: the next chunk we take is
            // acknowledged. But if nothing was taken for an ack timeout, every ack of the window may have been lost
            // (a publication back to a restarted sender's peer not yet connected): the sender then resends the
            // window forever and we stay silent forever, until it gives up and starts the same snapshot again,
            // which we would take as duplicates too. So once per ack timeout, say where we are.
            final long now = System.nanoTime();
            if (offset < expectedOffset && now - lastTakenNs >= config.snapshot().ackTimeoutNs()) {
                lastTakenNs = now;
                sendAck(index, term, expectedOffset, false);
            }
            return;
        }
        if (offset == 0) {
            confState = members(chunk);
        } else {
            final SnapshotChunkDecoder.MembersDecoder members = chunk.members();
            while (members.hasNext()) {
                members.next(); // later chunks carry no members, but the group header must still be stepped over
            }
        }
        final int length = RaftMessageDecoder.checkedLength(chunk.dataLength(), chunk.limit(), frameEnd);
        if (offset + length > total || length > staging.capacity()) {
            counters.framesMalformed.increment();
            return;
        }
        staging.clear().limit(length);
        chunk.getData(stagingView, 0, length);
        chunkCrc.reset();
        chunkCrc.update(staging);
        if (chunkCrc.getValue() != chunk.chunkCrc32c()) {
            counters.snapshotChunksCorrupt.increment();
            askFor(index, term, expectedOffset);
            return;
        }
        staging.flip();
        snapshotCrc.update(staging);
        staging.flip();
        lastTakenNs = System.nanoTime();
        try {
            sink.write(offset, staging);
        } catch (final IOException | RuntimeException e) {
            fail(index, term, "cannot write chunk at " + offset, e);
            return;
        }
        expectedOffset += length;
        gapReportedAt = NONE;
        counters.snapshotChunksReceived.increment();
        senderTerm = term;
        if (chunk.last() != BooleanType.TRUE) {
            sendAck(index, term, expectedOffset, false);
            return;
        }
        if (expectedOffset != total || snapshotCrc.getValue() != chunk.snapshotCrc32c()) {
            counters.snapshotChunksCorrupt.increment();
            abort();
            sendAck(index, term, 0, true);
            return;
        }
        final byte[] data;
        try {
            data = sink.complete();
        } catch (final IOException | RuntimeException e) {
            sink = null; // complete() cleans up after itself when it throws
            fail(index, term, "cannot complete it", e);
            return;
        }
        sink = null;
        final Snapshot snapshot = new Snapshot(index, snapshotTerm, confState, data);
        completedIndex = index;
        completedTotal = total;
        snapshotIndex = NONE;
        counters.snapshotsReceived.increment();
        sendAck(index, term, completedTotal, false);
        handler.onMessage(new Message(MessageType.SNAPSHOT, peerId, config.memberId(), senderTerm, 0, 0, List.of(),
            0, false, 0, snapshot, 0));
    }

    /** Opens a sink for a new snapshot, aborting any other still open; false if the store refuses it. */
    private boolean begin(final SnapshotChunkDecoder chunk, final long index, final long total) {
        abort();
        try {
            sink = store.openSink(peerId, index, chunk.snapshotTerm(), total);
        } catch (final IOException | RuntimeException e) {
            log(index, "the store refuses it", e);
            return false;
        }
        if (staging == null) {
            staging = ByteBuffer.allocateDirect(config.snapshot().chunkBytes());
            stagingView.wrap(staging);
        }
        snapshotIndex = index;
        snapshotTerm = chunk.snapshotTerm();
        this.total = total;
        expectedOffset = 0;
        gapReportedAt = NONE;
        snapshotCrc.reset();
        return true;
    }

    /** Whether a snapshot from this peer is partly received (its first chunk taken, its last not yet). */
    boolean isReceiving() {
        return snapshotIndex != NONE;
    }

    /** Abandons the snapshot being received, if any: its sink discards what it holds. Also when the peer goes. */
    void abort() {
        snapshotIndex = NONE;
        if (sink != null) {
            final SnapshotSink aborted = sink;
            sink = null;
            aborted.abort();
        }
    }

    private void fail(final long index, final long term, final String what, final Exception e) {
        log(index, what, e);
        counters.snapshotsFailed.increment();
        abort();
        sendAck(index, term, 0, true);
    }

    private void log(final long index, final String what, final Exception e) {
        System.getLogger(SnapshotReceiver.class.getName()).log(System.Logger.Level.WARNING, "snapshot " + index
            + " from " + Long.toHexString(peerId) + ": " + what + ": " + e);
    }

    /** Asks for {@code offset} once per gap: the chunks still in flight behind a loss would otherwise each ask. */
    private void askFor(final long index, final long term, final long offset) {
        if (gapReportedAt != offset) {
            gapReportedAt = offset;
            sendAck(index, term, offset, false);
        }
    }

    private void sendAck(final long index, final long term, final long nextOffset, final boolean reject) {
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + SnapshotChunkAckEncoder.BLOCK_LENGTH;
        ack.wrapAndApplyHeader(ackFrame, 0, header).clusterId(config.clusterId())
            .from(config.memberId()).to(peerId).term(term).snapshotIndex(index).nextOffset(nextOffset)
            .reject(RaftMessageEncoder.bool(reject));
        output.offer(ackFrame, 0, length);
        // A lost ack is recovered by the sender's ack timeout: nothing here may wait.
    }

    private static ConfState members(final SnapshotChunkDecoder chunk) {
        final List<Long> voters = new ArrayList<>();
        final List<Long> outgoing = new ArrayList<>();
        final List<Long> learners = new ArrayList<>();
        final List<Long> learnersNext = new ArrayList<>();
        final boolean autoLeave = RaftMessageDecoder.bool(chunk.autoLeave());
        for (final SnapshotChunkDecoder.MembersDecoder member : chunk.members()) {
            switch (member.role()) {
                case VOTER -> voters.add(member.id());
                case VOTER_OUTGOING -> outgoing.add(member.id());
                case LEARNER -> learners.add(member.id());
                case LEARNER_NEXT -> learnersNext.add(member.id());
                case NULL_VAL -> throw new IllegalArgumentException("unknown member role");
            }
        }
        return new ConfState(voters, outgoing, learners, learnersNext, autoLeave);
    }
}
