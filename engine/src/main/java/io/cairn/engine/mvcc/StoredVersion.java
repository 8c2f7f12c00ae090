package io.cairn.engine.mvcc;

import io.cairn.sbe.storage.BooleanType;
import io.cairn.sbe.storage.KeyValueRecordDecoder;
import io.cairn.sbe.storage.KeyValueRecordEncoder;
import io.cairn.sbe.storage.MessageHeaderDecoder;
import io.cairn.sbe.storage.MessageHeaderEncoder;
import org.agrona.ExpandableArrayBuffer;
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

    byte[] encode() {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(OVERHEAD_BYTES + value.length);
        final KeyValueRecordEncoder encoder = new KeyValueRecordEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .createRevision(createRevision)
            .modRevision(modRevision)
            .version(version)
            .lease(lease)
            .tombstone(tombstone ? BooleanType.TRUE : BooleanType.FALSE)
            .putValue(value, 0, value.length);
        final byte[] out = new byte[MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength()];
        buffer.getBytes(0, out);
        return out;
    }

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
