package io.cairn.transport;

import io.cairn.sbe.raft.MessageHeaderDecoder;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The cleartext header of every Aeron message between TLS members; TLS records follow it. It is laid out like a
 * raft-schema frame's start (an SBE-style header, then clusterId, from, to) so {@link FrameAdmission} can drop
 * frames of other clusters, other addressees and unknown senders before any TLS work, but it carries its own schema
 * id: a plaintext member's frames (schema 1) are never taken for TLS records and the other way round.
 *
 * <pre>
 *  0..1  blockLength = 32     2..3  kind       4..5  schemaId = 0x4354     6..7  version = 1
 *  8..15 clusterId           16..23 from       24..31 to                    32..39 epoch
 *  40..  TLS records (kind RECORDS: exactly one record), nothing (kind OPEN)
 * </pre>
 *
 * The epoch names one TLS session of the pair (the client draws it at random for each handshake): records of an
 * earlier session still in flight are told apart and dropped rather than fed to the new session's engine.
 */
final class TlsEnvelope {
    static final int SCHEMA_ID = 0x4354;
    static final int VERSION = 1;
    /** One TLS record of the session named by the epoch. */
    static final int KIND_RECORDS = 1;
    /** Sent by the TLS server of a pair that has no session with the sender of what it got: "start a handshake". */
    static final int KIND_OPEN = 2;
    static final int HEADER_BYTES = MessageHeaderDecoder.ENCODED_LENGTH + 4 * Long.BYTES;
    /** TLS's content type of a cleartext handshake record: a ClientHello starts every session. */
    static final byte CONTENT_TYPE_HANDSHAKE = 22;

    private static final int KIND_OFFSET = 2;
    private static final int SCHEMA_ID_OFFSET = 4;
    private static final int CLUSTER_ID_OFFSET = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int EPOCH_OFFSET = CLUSTER_ID_OFFSET + 3 * Long.BYTES;

    private TlsEnvelope() {
    }

    static void write(final MutableDirectBuffer buffer, final int kind, final long clusterId, final long from,
                      final long to, final long epoch) {
        buffer.putShort(0, (short) (4 * Long.BYTES), ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(KIND_OFFSET, (short) kind, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(SCHEMA_ID_OFFSET, (short) SCHEMA_ID, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(SCHEMA_ID_OFFSET + 2, (short) VERSION, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(CLUSTER_ID_OFFSET, clusterId, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(CLUSTER_ID_OFFSET + Long.BYTES, from, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(CLUSTER_ID_OFFSET + 2 * Long.BYTES, to, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(EPOCH_OFFSET, epoch, ByteOrder.LITTLE_ENDIAN);
    }

    /** The schema id of any frame at least 8 bytes long: 1 for a plaintext raft frame, {@link #SCHEMA_ID} here. */
    static int schemaId(final DirectBuffer buffer, final int offset) {
        return buffer.getShort(offset + SCHEMA_ID_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    static int kind(final DirectBuffer buffer, final int offset) {
        return buffer.getShort(offset + KIND_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    static long epoch(final DirectBuffer buffer, final int offset) {
        return buffer.getLong(offset + EPOCH_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }
}
