package io.cairn.transport;

import io.cairn.sbe.raft.MessageHeaderDecoder;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * The gate every received frame passes before it is decoded: it must be a raft-schema frame long enough to hold
 * the fields every raft message starts with ({@code clusterId, from, to, term}), carry this cluster's id, be
 * addressed to this member, and come from a member this transport knows. Anything else is dropped and counted
 * by reason. This keeps processes of another cluster (or a stale member removed from this one) out; it does not
 * authenticate: see the threat model in the module README.
 */
final class FrameAdmission {
    static final int SCHEMA_ID = 1;
    private static final int CLUSTER_ID_OFFSET = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int FROM_OFFSET = CLUSTER_ID_OFFSET + Long.BYTES;
    private static final int TO_OFFSET = FROM_OFFSET + Long.BYTES;
    private static final int ADDRESS_BLOCK_BYTES = 4 * Long.BYTES;
    static final int ADDRESSED_FRAME_BYTES_MIN = MessageHeaderDecoder.ENCODED_LENGTH + ADDRESS_BLOCK_BYTES;

    private final int schemaId;
    private final long clusterId;
    private final long memberId;
    private final Long2ObjectHashMap<Peer> peers;
    private final TransportCounters counters;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();

    FrameAdmission(final long clusterId, final long memberId, final Long2ObjectHashMap<Peer> peers,
                   final TransportCounters counters) {
        this(SCHEMA_ID, clusterId, memberId, peers, counters);
    }

    /** Admits frames of {@code schemaId}: the raft schema's, or {@link TlsEnvelope#SCHEMA_ID} for TLS envelopes. */
    FrameAdmission(final int schemaId, final long clusterId, final long memberId, final Long2ObjectHashMap<Peer> peers,
                   final TransportCounters counters) {
        this.schemaId = schemaId;
        this.clusterId = clusterId;
        this.memberId = memberId;
        this.peers = peers;
        this.counters = counters;
    }

    /** The sending peer, or null when the frame is dropped (and counted). */
    Peer admit(final DirectBuffer buffer, final int offset, final int length) {
        if (length < ADDRESSED_FRAME_BYTES_MIN) {
            counters.framesMalformed.increment();
            return null;
        }
        header.wrap(buffer, offset);
        if (header.schemaId() != schemaId || header.blockLength() < ADDRESS_BLOCK_BYTES
            || header.blockLength() > length - MessageHeaderDecoder.ENCODED_LENGTH) {
            counters.framesMalformed.increment();
            return null;
        }
        if (buffer.getLong(offset + CLUSTER_ID_OFFSET, ByteOrder.LITTLE_ENDIAN) != clusterId) {
            counters.framesForeignCluster.increment();
            return null;
        }
        if (buffer.getLong(offset + TO_OFFSET, ByteOrder.LITTLE_ENDIAN) != memberId) {
            counters.framesMisaddressed.increment();
            return null;
        }
        final Peer peer = peers.get(buffer.getLong(offset + FROM_OFFSET, ByteOrder.LITTLE_ENDIAN));
        if (peer == null) {
            counters.framesUnknownSender.increment();
        }
        return peer;
    }

    /** The admitted frame's template, block length and schema version, for the decoder. */
    int templateId() {
        return header.templateId();
    }

    int blockLength() {
        return header.blockLength();
    }

    int version() {
        return header.version();
    }
}
