package io.cairn.engine.mvcc;

import io.cairn.sbe.storage.BooleanType;
import io.cairn.sbe.storage.KeyValueRecordDecoder;
import io.cairn.sbe.storage.KeyValueRecordEncoder;
import io.cairn.sbe.storage.MessageHeaderDecoder;
import io.cairn.sbe.storage.MessageHeaderEncoder;
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
        final byte[] out = new byte[OVERHEAD_BYTES + value.length];
        final Codecs codecs = CODECS.get();
        codecs.buffer.wrap(out);
        final KeyValueRecordEncoder encoder = codecs.encoder
            .wrapAndApplyHeader(codecs.buffer, 0, codecs.headerEncoder)
            .createRevision(createRevision)
            .modRevision(modRevision)
            .version(version)
            .lease(lease)
            .tombstone(tombstone ? BooleanType.TRUE : BooleanType.FALSE)
            .putValue(value, 0, value.length);
        assert MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength() == out.length : "OVERHEAD_BYTES is exact";
        return out;
    }

    /**
     * The version in {@code bytes} as the key value of {@code key}, or null for a tombstone; its
     * value is copied only {@code withValue} (else empty), and no StoredVersion is made.
     */
    static KeyValue decodeLive(final byte[] key, final byte[] bytes, final boolean withValue) {
        final Codecs codecs = CODECS.get();
        codecs.buffer.wrap(bytes);
        final KeyValueRecordDecoder decoder = codecs.decoder.wrapAndApplyHeader(codecs.buffer, 0, codecs.headerDecoder);
        if (decoder.tombstone() == BooleanType.TRUE) {
            return null;
        }
        final long create = decoder.createRevision();
        final long mod = decoder.modRevision();
        final long version = decoder.version();
        final long lease = decoder.lease();
        final byte[] value = withValue ? new byte[decoder.valueLength()] : NO_VALUE;
        if (withValue) {
            decoder.getValue(value, 0, value.length);
        }
        return new KeyValue(key, create, mod, version, lease, value);
    }

    private static final byte[] NO_VALUE = new byte[0];

    /**
     * Each thread's flyweights (the apply thread's, chiefly): encoding and decoding a version made
     * four of them plus a buffer each time (issue #21). Used within one call, never kept.
     */
    private static final class Codecs {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);
        final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        final KeyValueRecordEncoder encoder = new KeyValueRecordEncoder();
        final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
        final KeyValueRecordDecoder decoder = new KeyValueRecordDecoder();
    }

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
