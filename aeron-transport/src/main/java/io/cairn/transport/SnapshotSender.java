package io.cairn.transport;

import io.cairn.raft.ConfState;
import io.cairn.raft.Message;
import io.cairn.raft.Snapshot;
import io.cairn.sbe.raft.MemberRole;
import io.cairn.sbe.raft.MessageHeaderEncoder;
import io.cairn.sbe.raft.SnapshotChunkEncoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Streams one snapshot to one peer on the snapshot stream, a few chunks per {@link #doWork} so the Raft loop never
 * waits for it. Flow control is a window of unacknowledged chunks; loss recovery is go-back-N: the receiver
 * accepts chunks only in order and answers a gap (or a restart of its own) with the offset it wants, and the sender
 * resumes from there. Silence longer than the ack timeout resends from the last acknowledged offset; too many
 * silent timeouts in a row give the snapshot up. A receiver that finds the whole-snapshot CRC32C wrong (or whose
 * store refuses the snapshot) rejects it and the sender starts again from offset 0, checksumming afresh; after
 * {@link #REJECTS_MAX} rejections of one snapshot it gives the snapshot up, so Raft sends a new one from a new
 * source rather than this one forever (the progress each pass makes must not hide that it never completes).
 *
 * <p>Every chunk carries its own CRC32C; the last one also carries the CRC32C of the whole snapshot, computed as
 * the chunks first go out (so starting a 256 MiB snapshot does not stall the loop on a 256 MiB checksum).
 *
 * <p>The bytes come from a {@link SnapshotSource}, one chunk at a time through a reused buffer of
 * {@code snapshotChunkBytes}: nothing here grows with the snapshot's size. A resend reads its range again.
 */
final class SnapshotSender {
    static final int REJECTS_MAX = 3;

    private final TransportConfig config;
    private final TransportCounters counters;
    private final long peerId;
    private final FrameOutput output;
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final SnapshotChunkEncoder chunk = new SnapshotChunkEncoder();
    private final ExpandableDirectByteBuffer frame;
    private final CRC32C chunkCrc = new CRC32C();
    private final CRC32C snapshotCrc = new CRC32C();
    /** One chunk read from the source; allocated at the first snapshot to this peer. */
    private ByteBuffer staging;
    private final UnsafeBuffer stagingView = new UnsafeBuffer(0, 0);

    private Message message;
    private SnapshotSource source;
    private long total;
    private long crcOffset;
    private long sendOffset;
    private long ackedOffset;
    private boolean lastSent;
    private long highestSentOffset;
    private long lastProgressNs;
    private int stalls;
    private int rejects;

    SnapshotSender(final TransportConfig config, final TransportCounters counters, final long peerId,
                   final FrameOutput output) {
        this.config = config;
        this.counters = counters;
        this.peerId = peerId;
        this.output = output;
        this.frame = new ExpandableDirectByteBuffer(config.snapshot().chunkBytes() + 4096);
    }

    /**
     * Begins sending {@code snapshotMessage}'s snapshot, whose bytes {@code bytes} holds (the sender closes it when
     * the transfer ends), abandoning any snapshot still in flight to this peer.
     */
    void start(final Message snapshotMessage, final SnapshotSource bytes, final long nowNs) {
        end();
        if (staging == null) {
            staging = ByteBuffer.allocateDirect(config.snapshot().chunkBytes());
            stagingView.wrap(staging);
        }
        message = snapshotMessage;
        source = bytes;
        total = bytes.sizeBytes();
        restartFromZero(nowNs);
        stalls = 0;
        rejects = 0;
        highestSentOffset = -1;
    }

    boolean isActive() {
        return message != null;
    }

    long snapshotIndex() {
        return message == null ? -1 : message.snapshot().index();
    }

    int doWork(final long nowNs, final InboundHandler handler) {
        if (message == null) {
            return 0;
        }
        if (nowNs - lastProgressNs > config.snapshot().ackTimeoutNs()) {
            if (++stalls > config.snapshot().stallsMax()) {
                giveUp(handler);
                return 1;
            }
            sendOffset = ackedOffset;
            lastProgressNs = nowNs;
        }
        final long windowBytes = (long) config.snapshot().windowChunks() * config.snapshot().chunkBytes();
        int sent = 0;
        while (sent < config.snapshot().chunksPerPoll() && !allSent(total) && sendOffset - ackedOffset < windowBytes) {
            final int length = (int) Math.min(config.snapshot().chunkBytes(), total - sendOffset);
            final int frameLength;
            try {
                frameLength = encodeChunk(sendOffset, length);
            } catch (final IOException | RuntimeException e) {
                System.getLogger(SnapshotSender.class.getName()).log(System.Logger.Level.WARNING, "snapshot "
                    + snapshotIndex() + " to " + Long.toHexString(peerId) + ": cannot read its source: " + e);
                giveUp(handler);
                return sent + 1;
            }
            if (output.offer(frame, 0, frameLength) < 0) {
                break; // back pressure, peer away, no TLS session yet: try again on the next poll, the loop never waits
            }
            if (sendOffset <= highestSentOffset) {
                counters.snapshotChunksResent.increment();
            } else {
                counters.snapshotChunksSent.increment();
                highestSentOffset = sendOffset;
            }
            lastSent |= sendOffset + length == total;
            sendOffset += Math.max(length, 1);
            sent++;
        }
        return sent;
    }

    private void giveUp(final InboundHandler handler) {
        counters.snapshotsFailed.increment();
        final long index = snapshotIndex();
        end();
        handler.onSnapshotStatus(peerId, index, false);
    }

    /** Ends the transfer in flight, if any, and closes its source. Also when the peer goes or the transport closes. */
    void end() {
        message = null;
        if (source != null) {
            final SnapshotSource closing = source;
            source = null;
            closing.close();
        }
    }

    /** Past the last chunk (an empty snapshot still has one chunk, of zero bytes). */
    private boolean allSent(final long total) {
        return sendOffset >= Math.max(total, 1);
    }

    void onAck(final long snapshotIndex, final long nextOffset, final boolean reject, final long nowNs,
               final InboundHandler handler) {
        if (message == null || snapshotIndex != message.snapshot().index()) {
            return;
        }
        if (nextOffset < 0 || nextOffset > total) {
            counters.framesMalformed.increment();
            return;
        }
        if (reject) {
            // A whole-snapshot CRC mismatch, or a receiver whose store refuses the snapshot.
            if (++rejects > REJECTS_MAX) {
                giveUp(handler);
                return;
            }
            counters.snapshotRestarts.increment();
            restartFromZero(nowNs);
            return;
        }
        if (nextOffset == total && lastSent) {
            counters.snapshotsSent.increment();
            end();
            handler.onSnapshotStatus(peerId, snapshotIndex, true);
            return;
        }
        if (nextOffset > ackedOffset) {
            ackedOffset = nextOffset;
            sendOffset = Math.max(sendOffset, nextOffset);
            lastProgressNs = nowNs;
            stalls = 0;
        } else if (nextOffset < sendOffset) {
            // A gap at the receiver, or a receiver that restarted and wants the stream again from nextOffset.
            if (nextOffset == 0 && ackedOffset > 0) {
                counters.snapshotRestarts.increment();
            }
            ackedOffset = nextOffset;
            sendOffset = nextOffset;
            lastProgressNs = nowNs;
        }
    }

    /** From offset 0, with the whole-snapshot CRC32C computed again from the bytes this pass sends. */
    private void restartFromZero(final long nowNs) {
        snapshotCrc.reset();
        crcOffset = 0;
        sendOffset = 0;
        ackedOffset = 0;
        lastSent = false;
        lastProgressNs = nowNs;
    }

    private int encodeChunk(final long offset, final int length) throws IOException {
        final Snapshot snapshot = message.snapshot();
        final boolean last = offset + length == total;
        while (crcOffset < offset) {
            // Only when the receiver asked to skip ahead of what was sent: checksum the bytes skipped over.
            final int skipped = (int) Math.min(staging.capacity(), offset - crcOffset);
            snapshotCrc.update(readChunk(crcOffset, skipped));
            crcOffset += skipped;
        }
        final ByteBuffer bytes = readChunk(offset, length);
        if (crcOffset == offset) {
            snapshotCrc.update(bytes);
            crcOffset = offset + length;
        }
        bytes.rewind();
        chunkCrc.reset();
        chunkCrc.update(bytes);
        chunk.wrapAndApplyHeader(frame, 0, header)
            .clusterId(config.clusterId()).from(config.memberId()).to(peerId).term(message.term())
            .snapshotIndex(snapshot.index()).snapshotTerm(snapshot.term()).totalBytes(total).chunkOffset(offset)
            .snapshotCrc32c(last ? snapshotCrc.getValue() : 0).chunkCrc32c(chunkCrc.getValue())
            .last(RaftMessageEncoder.bool(last)).autoLeave(RaftMessageEncoder.bool(snapshot.confState().autoLeave()));
        final ConfState conf = snapshot.confState();
        final SnapshotChunkEncoder.MembersEncoder members = chunk.membersCount(offset == 0 ? memberCount(conf) : 0);
        if (offset == 0) {
            addMembers(members, conf.voters(), MemberRole.VOTER);
            addMembers(members, conf.votersOutgoing(), MemberRole.VOTER_OUTGOING);
            addMembers(members, conf.learners(), MemberRole.LEARNER);
            addMembers(members, conf.learnersNext(), MemberRole.LEARNER_NEXT);
        }
        chunk.putData(stagingView, 0, length);
        return MessageHeaderEncoder.ENCODED_LENGTH + chunk.encodedLength();
    }

    /** Reads {@code length} bytes at {@code offset} from the source into the staging buffer, flipped for reading. */
    private ByteBuffer readChunk(final long offset, final int length) throws IOException {
        staging.clear().limit(length);
        while (staging.hasRemaining()) {
            if (source.read(offset + staging.position(), staging) <= 0) {
                throw new IOException("the source ended at " + (offset + staging.position()) + " of its " + total
                    + " bytes");
            }
        }
        return staging.flip();
    }

    private static int memberCount(final ConfState conf) {
        return conf.voters().size() + conf.votersOutgoing().size() + conf.learners().size()
            + conf.learnersNext().size();
    }

    private static void addMembers(final SnapshotChunkEncoder.MembersEncoder members, final List<Long> ids,
                                   final MemberRole role) {
        for (int i = 0; i < ids.size(); i++) {
            members.next().id(ids.get(i)).role(role);
        }
    }
}
