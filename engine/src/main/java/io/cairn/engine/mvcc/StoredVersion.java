package io.cairn.engine.mvcc;

import io.cairn.engine.backend.BackendCursor;
import io.cairn.sbe.storage.BooleanType;
import io.cairn.sbe.storage.KeyValueRecordDecoder;
import io.cairn.sbe.storage.KeyValueRecordEncoder;
import io.cairn.sbe.storage.MessageHeaderDecoder;
import io.cairn.sbe.storage.MessageHeaderEncoder;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One version of a key as stored in the {@code kv} bucket (SBE KeyValueRecord): a live value or
 * a tombstone left by a delete.
 */
record StoredVersion(long createRevision, long modRevision, long version, long lease, boolean tombstone,
    byte[] value) {
    /** What a stored version adds to its value: the SBE header, the fixed fields, the value's length. */
    static final int OVERHEAD_BYTES = MessageHeaderEncoder.ENCODED_LENGTH + KeyValueRecordEncoder.BLOCK_LENGTH
        + KeyValueRecordEncoder.valueHeaderLength();

    static StoredVersion tombstone(final long modRevision) {
        return new StoredVersion(0, modRevision, 0, 0, true, new byte[0]);
    }

    KeyValue toKeyValue(final byte[] key) {
        assert !tombstone : "a tombstone is not a key value";
        return new KeyValue(key, createRevision, modRevision, version, lease, value);
    }

    /** The record, encoded straight into an array of its exact size (OVERHEAD_BYTES + the value). */
    byte[] encode() {
        return encodeInto(new byte[OVERHEAD_BYTES + value.length], CODECS.get());
    }

    /**
     * The record in the first OVERHEAD_BYTES + value bytes of this thread's scratch array, valid
     * until the thread encodes again: for a write that copies it at once (the put path, issue #21).
     */
    byte[] encodeIntoScratch() {
        return encodeIntoScratch(createRevision, modRevision, version, lease, tombstone, value);
    }

    /** A record of these fields, as {@link #encodeIntoScratch()}, without a StoredVersion. */
    static byte[] encodeIntoScratch(final long createRevision, final long modRevision, final long version,
        final long lease, final boolean tombstone, final byte[] value) {
        final Codecs codecs = CODECS.get();
        return encodeInto(codecs.scratchFor(OVERHEAD_BYTES + value.length), codecs, createRevision, modRevision,
            version, lease, tombstone, value);
    }

    private byte[] encodeInto(final byte[] out, final Codecs codecs) {
        return encodeInto(out, codecs, createRevision, modRevision, version, lease, tombstone, value);
    }

    private static byte[] encodeInto(final byte[] out, final Codecs codecs, final long createRevision,
        final long modRevision, final long version, final long lease, final boolean tombstone, final byte[] value) {
        codecs.buffer.wrap(out);
        final KeyValueRecordEncoder encoder = codecs.encoder
            .wrapAndApplyHeader(codecs.buffer, 0, codecs.headerEncoder)
            .createRevision(createRevision)
            .modRevision(modRevision)
            .version(version)
            .lease(lease)
            .tombstone(tombstone ? BooleanType.TRUE : BooleanType.FALSE)
            .putValue(value, 0, value.length);
        assert MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength() == OVERHEAD_BYTES + value.length
            : "OVERHEAD_BYTES is exact";
        return out;
    }

    /**
     * The version under {@code cursor} as the key value of {@code key}, or null for a tombstone; its
     * value is copied only {@code withValue} (else empty), and no StoredVersion is made. The record's
     * head is copied into this thread's scratch and the value straight into the result's array: no
     * segment or array around the record (issue #21).
     */
    static KeyValue decodeLive(final byte[] key, final BackendCursor cursor, final boolean withValue) {
        final Codecs codecs = CODECS.get();
        final int recordLength = cursor.valueLength();
        final int headLength = Math.min(recordLength, codecs.head.length);
        cursor.copyValue(0, codecs.head, 0, headLength);
        final MemorySegment record = codecs.headSegment;
        // The acting block length is the header's: a record written by another schema version may differ.
        final int blockLength = Short.toUnsignedInt(record.get(U16, MessageHeaderDecoder.blockLengthEncodingOffset()));
        final long body = MessageHeaderDecoder.ENCODED_LENGTH;
        final long valueAt = body + blockLength;
        if (valueAt + KeyValueRecordDecoder.valueHeaderLength() > headLength) {
            throw new IllegalStateException("a kv record of " + recordLength + " bytes with a block of " + blockLength
                + " bytes: the record is cut short, or of a schema whose block does not fit " + codecs.head.length + " bytes");
        }
        if (record.get(ValueLayout.JAVA_BYTE, body + KeyValueRecordDecoder.tombstoneEncodingOffset())
            == BooleanType.TRUE.value()) {
            return null;
        }
        final long create = record.get(I64, body + KeyValueRecordDecoder.createRevisionEncodingOffset());
        final long mod = record.get(I64, body + KeyValueRecordDecoder.modRevisionEncodingOffset());
        final long version = record.get(I64, body + KeyValueRecordDecoder.versionEncodingOffset());
        final long lease = record.get(I64, body + KeyValueRecordDecoder.leaseEncodingOffset());
        if (!withValue) {
            return new KeyValue(key, create, mod, version, lease, NO_VALUE);
        }
        final int valueLength = record.get(I32, valueAt);
        final byte[] value = new byte[valueLength];
        cursor.copyValue((int) valueAt + KeyValueRecordDecoder.valueHeaderLength(), value, 0, valueLength);
        return new KeyValue(key, create, mod, version, lease, value);
    }

    private static final byte[] NO_VALUE = new byte[0];
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(KeyValueRecordDecoder.BYTE_ORDER);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(KeyValueRecordDecoder.BYTE_ORDER);
    private static final ValueLayout.OfShort U16 =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(MessageHeaderDecoder.BYTE_ORDER);

    /**
     * Each thread's encode flyweights and scratch arrays (the apply thread's, chiefly): encoding a
     * version made two of them plus a buffer each time (issue #21). Used within one call, never kept.
     */
    private static final class Codecs {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);
        final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        final KeyValueRecordEncoder encoder = new KeyValueRecordEncoder();
        /**
         * A record's head as {@link #decodeLive} copies it (SBE header, fixed fields, the value's
         * length), with room for the block to grow in later schema versions.
         */
        final byte[] head = new byte[4 * OVERHEAD_BYTES];
        final MemorySegment headSegment = MemorySegment.ofArray(head);
        /** Grown to the largest record encoded; one past {@link #SCRATCH_KEPT_BYTES_MAX} is not kept. */
        private byte[] scratch = new byte[256];

        byte[] scratchFor(final int bytes) {
            if (bytes <= scratch.length) {
                return scratch;
            }
            final byte[] larger = new byte[bytes];
            if (bytes <= SCRATCH_KEPT_BYTES_MAX) {
                scratch = larger;
            }
            return larger;
        }
    }

    private static final int SCRATCH_KEPT_BYTES_MAX = 64 << 10;

    private static final ThreadLocal<Codecs> CODECS = ThreadLocal.withInitial(Codecs::new);

    static StoredVersion decode(final byte[] bytes) {
        final KeyValueRecordDecoder decoder = new KeyValueRecordDecoder()
            .wrapAndApplyHeader(new UnsafeBuffer(bytes), 0, new MessageHeaderDecoder());
        final long create = decoder.createRevision();
        final long mod = decoder.modRevision();
        final long version = decoder.version();
        final long lease = decoder.lease();
        final boolean tombstone = decoder.tombstone() == BooleanType.TRUE;
        final byte[] value = new byte[decoder.valueLength()];
        decoder.getValue(value, 0, value.length);
        return new StoredVersion(create, mod, version, lease, tombstone, value);
    }
}
