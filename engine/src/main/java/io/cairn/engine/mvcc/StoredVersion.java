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
        return encodeIntoScratch(createRevision, modRevision, version, lease, tombstone, value, 0, value.length);
    }

    /**
     * A record of these fields, as {@link #encodeIntoScratch()}, without a StoredVersion; its value
     * is {@code valueLength} bytes of {@code valueArray} from {@code valueOffset}.
     */
    static byte[] encodeIntoScratch(final long createRevision, final long modRevision, final long version,
        final long lease, final boolean tombstone, final byte[] valueArray, final int valueOffset, final int valueLength) {
        final Codecs codecs = CODECS.get();
        return encodeInto(codecs.scratchFor(OVERHEAD_BYTES + valueLength), codecs, createRevision, modRevision,
            version, lease, tombstone, valueArray, valueOffset, valueLength);
    }

    private byte[] encodeInto(final byte[] out, final Codecs codecs) {
        return encodeInto(out, codecs, createRevision, modRevision, version, lease, tombstone, value, 0, value.length);
    }

    private static byte[] encodeInto(final byte[] out, final Codecs codecs, final long createRevision,
        final long modRevision, final long version, final long lease, final boolean tombstone, final byte[] valueArray,
        final int valueOffset, final int valueLength) {
        codecs.buffer.wrap(out);
        final KeyValueRecordEncoder encoder = codecs.encoder
            .wrapAndApplyHeader(codecs.buffer, 0, codecs.headerEncoder)
            .createRevision(createRevision)
            .modRevision(modRevision)
            .version(version)
            .lease(lease)
            .tombstone(tombstone ? BooleanType.TRUE : BooleanType.FALSE)
            .putValue(valueArray, valueOffset, valueLength);
        assert MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength() == OVERHEAD_BYTES + valueLength
            : "OVERHEAD_BYTES is exact";
        return out;
    }

    /**
     * A live version's fixed fields as {@link #decodeHead} read them, in the thread's scratch:
     * valid until the thread's next decodeHead. A put needs only these of the version it replaces,
     * so it makes no KeyValue (issue #21).
     */
    static final class Head {
        long createRevision;
        long modRevision;
        long version;
        long lease;
        /** Where the value starts in the record, and its length. */
        int valueAt;
        int valueLength;

        private Head() {
        }
    }

    /**
     * The version under {@code cursor} as the key value of {@code key}, or null for a tombstone; its
     * value is copied only {@code withValue} (else empty), and no StoredVersion is made.
     */
    static KeyValue decodeLive(final byte[] key, final BackendCursor cursor, final boolean withValue) {
        final Head head = decodeHead(cursor);
        return head == null ? null : keyValue(key, head, cursor, withValue);
    }

    /**
     * The fixed fields of the live version under {@code cursor}, or null for a tombstone. The
     * record's head is copied into this thread's scratch: no segment or array around the record
     * (issue #21).
     */
    static Head decodeHead(final BackendCursor cursor) {
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
        final Head head = codecs.decodedHead;
        head.createRevision = record.get(I64, body + KeyValueRecordDecoder.createRevisionEncodingOffset());
        head.modRevision = record.get(I64, body + KeyValueRecordDecoder.modRevisionEncodingOffset());
        head.version = record.get(I64, body + KeyValueRecordDecoder.versionEncodingOffset());
        head.lease = record.get(I64, body + KeyValueRecordDecoder.leaseEncodingOffset());
        head.valueAt = (int) valueAt + KeyValueRecordDecoder.valueHeaderLength();
        head.valueLength = record.get(I32, valueAt);
        return head;
    }

    /**
     * The key value of {@code key} whose head {@link #decodeHead} read from the record still under
     * {@code cursor}; the value (only {@code withValue}, else empty) is copied straight into the
     * result's array.
     */
    static KeyValue keyValue(final byte[] key, final Head head, final BackendCursor cursor, final boolean withValue) {
        if (!withValue) {
            return new KeyValue(key, head.createRevision, head.modRevision, head.version, head.lease, NO_VALUE);
        }
        final byte[] value = new byte[head.valueLength];
        cursor.copyValue(head.valueAt, value, 0, head.valueLength);
        return new KeyValue(key, head.createRevision, head.modRevision, head.version, head.lease, value);
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
        /** What {@link #decodeHead} read from {@link #head}. */
        final Head decodedHead = new Head();
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
