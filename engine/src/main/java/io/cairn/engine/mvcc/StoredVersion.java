package io.cairn.engine.mvcc;

import io.cairn.engine.backend.BackendCursor;
import io.cairn.sbe.storage.BooleanType;
import io.cairn.sbe.storage.KeyValueRecordDecoder;
import io.cairn.sbe.storage.KeyValueRecordEncoder;
import io.cairn.sbe.storage.MessageHeaderDecoder;
import io.cairn.sbe.storage.MessageHeaderEncoder;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One version of a key as stored in the {@code kv} bucket: a live value or a tombstone left by a
 * delete. Two record formats, told apart by the first byte:
 *
 * <ul>
 *   <li><b>Compact</b> (written since 2026-12-05): a tag byte {@code 0x80 | flags} (bit 0:
 *       tombstone, bit 1: a lease follows), then unsigned LEB128 varints of the mod revision, of
 *       mod revision - create revision, and of the version; then the lease, 8 bytes little-endian,
 *       if the flag says so; then the value, to the end of the record. A plain tombstone is the tag
 *       and the mod revision alone. A typical put's head is 6 bytes.
 *   <li><b>SBE</b> {@code KeyValueRecord} (storage-records.xml): the 8-byte message header, 33
 *       bytes of fixed fields, the value's 4-byte length, the value: 45 bytes before the value.
 *       Stores written before 2026-12-05 hold only these, and they stay readable. Its first byte is
 *       the low byte of the header's block length (33): bit 7 clear.
 * </ul>
 *
 * <p>Why a second format outside SBE: SBE has no variable-length integers, and the 45 fixed bytes
 * were about a ninth of each version in the tree (issue #21: the tree was 1.29x etcd's db after a
 * sequential load). Fields that do not fit the compact form (a negative field, a create revision
 * above the mod revision) are written as SBE, so every record the store can be given stays
 * writable. {@link KvHash} hashes every record in its SBE form, whichever is stored, so members
 * that wrote the same history in different formats (a rolling upgrade) agree.
 */
record StoredVersion(long createRevision, long modRevision, long version, long lease, boolean tombstone,
    byte[] value) {
    /**
     * The most a stored version adds to its value, in either format: the SBE record's header, fixed
     * fields and value length (45 bytes; the compact head is at most 39).
     */
    static final int OVERHEAD_BYTES = MessageHeaderEncoder.ENCODED_LENGTH + KeyValueRecordEncoder.BLOCK_LENGTH
        + KeyValueRecordEncoder.valueHeaderLength();
    /** Bit 7 of a record's first byte: set for the compact format, clear for SBE (block length 33). */
    static final int COMPACT_TAG = 0x80;
    private static final int FLAG_TOMBSTONE = 0x01;
    private static final int FLAG_LEASE = 0x02;
    /** Tag, three varints of up to 10 bytes, the lease. */
    static final int COMPACT_HEAD_BYTES_MAX = 1 + 3 * 10 + Long.BYTES;

    static StoredVersion tombstone(final long modRevision) {
        return new StoredVersion(0, modRevision, 0, 0, true, new byte[0]);
    }

    KeyValue toKeyValue(final byte[] key) {
        assert !tombstone : "a tombstone is not a key value";
        return new KeyValue(key, createRevision, modRevision, version, lease, value);
    }

    /**
     * This version's record in the first {@link Encoded#length} bytes of this thread's scratch,
     * valid until the thread encodes again: for a write that copies it at once.
     */
    Encoded encodeIntoScratch() {
        return encodeIntoScratch(createRevision, modRevision, version, lease, tombstone, value, 0, value.length);
    }

    /** This version's record in an array of its own (compact where the fields allow). */
    byte[] encode() {
        final Encoded encoded = encodeIntoScratch();
        return Arrays.copyOf(encoded.bytes, encoded.length);
    }

    /** A record in this thread's scratch array: its first {@code length} bytes. Reused by the thread's next encode. */
    static final class Encoded {
        byte[] bytes;
        int length;

        private Encoded() {
        }
    }

    /**
     * A record of these fields, as {@link #encodeIntoScratch()}, without a StoredVersion; its value
     * is {@code valueLength} bytes of {@code valueArray} from {@code valueOffset}. Compact unless a
     * field does not fit that form.
     */
    static Encoded encodeIntoScratch(final long createRevision, final long modRevision, final long version,
        final long lease, final boolean tombstone, final byte[] valueArray, final int valueOffset, final int valueLength) {
        final Codecs codecs = CODECS.get();
        final Encoded out = codecs.encoded;
        if (!compactFits(createRevision, modRevision, version)) {
            out.bytes = encodeSbeInto(codecs.scratchFor(OVERHEAD_BYTES + valueLength), codecs, createRevision,
                modRevision, version, lease, tombstone, valueArray, valueOffset, valueLength);
            out.length = OVERHEAD_BYTES + valueLength;
            return out;
        }
        final byte[] bytes = codecs.scratchFor(COMPACT_HEAD_BYTES_MAX + valueLength);
        int at = 1;
        if (tombstone && createRevision == 0 && version == 0 && lease == 0 && valueLength == 0) {
            bytes[0] = (byte)(COMPACT_TAG | FLAG_TOMBSTONE);
            at = writeVarint(bytes, at, modRevision);
        } else {
            bytes[0] = (byte)(COMPACT_TAG | (tombstone ? FLAG_TOMBSTONE : 0) | (lease != 0 ? FLAG_LEASE : 0));
            at = writeVarint(bytes, at, modRevision);
            at = writeVarint(bytes, at, modRevision - createRevision);
            at = writeVarint(bytes, at, version);
            if (lease != 0) {
                LONG_LE.set(bytes, at, lease);
                at += Long.BYTES;
            }
        }
        System.arraycopy(valueArray, valueOffset, bytes, at, valueLength);
        out.bytes = bytes;
        out.length = at + valueLength;
        return out;
    }

    /** Whether the compact form holds these fields: none negative, created no later than modified. */
    private static boolean compactFits(final long createRevision, final long modRevision, final long version) {
        return createRevision >= 0 && modRevision >= createRevision && version >= 0;
    }

    /** The SBE form of these fields in {@code out}, which holds OVERHEAD_BYTES + valueLength bytes at least. */
    private static byte[] encodeSbeInto(final byte[] out, final Codecs codecs, final long createRevision,
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

    /** This version in the SBE format, whatever the fields (what stores wrote before the compact one, and tests). */
    byte[] encodeSbe() {
        return encodeSbeInto(new byte[OVERHEAD_BYTES + value.length], CODECS.get(), createRevision, modRevision,
            version, lease, tombstone, value, 0, value.length);
    }

    /**
     * {@code record} in the SBE form: itself if it is SBE already, else its fields re-encoded. What
     * {@link KvHash} hashes, so that the hash does not depend on the format a member stored.
     */
    static byte[] sbeForm(final byte[] record) {
        return isCompact(record[0]) ? decode(record).encodeSbe() : record;
    }

    private static boolean isCompact(final byte first) {
        return (first & COMPACT_TAG) != 0;
    }

    private static int writeVarint(final byte[] out, final int at, final long value) {
        int i = at;
        long rest = value;
        while ((rest & ~0x7FL) != 0) {
            out[i++] = (byte)((rest & 0x7F) | 0x80);
            rest >>>= 7;
        }
        out[i++] = (byte)rest;
        return i;
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
     * The fixed fields of the live version under {@code cursor}, or null for a tombstone. The
     * record's head is copied into this thread's scratch: no segment or array around the record
     * (issue #21).
     */
    static Head decodeHead(final BackendCursor cursor) {
        final Codecs codecs = CODECS.get();
        final int recordLength = cursor.valueLength();
        final int headLength = Math.min(recordLength, codecs.head.length);
        cursor.copyValue(0, codecs.head, 0, headLength);
        final Head head = codecs.decodedHead;
        return readHead(codecs.head, headLength, recordLength, head) ? null : head;
    }

    /**
     * Reads the fixed fields of a record of {@code recordLength} bytes whose first
     * {@code headLength} are in {@code bytes} into {@code head}; returns whether it is a tombstone
     * (then only the mod revision is set).
     */
    private static boolean readHead(final byte[] bytes, final int headLength, final int recordLength, final Head head) {
        if (headLength == 0) {
            throw new IllegalStateException("an empty kv record");
        }
        return isCompact(bytes[0])
            ? readCompactHead(bytes, headLength, recordLength, head)
            : readSbeHead(bytes, headLength, recordLength, head);
    }

    private static boolean readCompactHead(final byte[] bytes, final int headLength, final int recordLength,
        final Head head) {
        final int flags = bytes[0] & 0xFF & ~COMPACT_TAG;
        if ((flags & ~(FLAG_TOMBSTONE | FLAG_LEASE)) != 0) {
            throw new IllegalStateException("a kv record with unknown flags " + Integer.toHexString(flags));
        }
        head.valueAt = 1; // the read position until the value is reached
        head.modRevision = readVarint(bytes, headLength, head);
        final boolean tombstone = (flags & FLAG_TOMBSTONE) != 0;
        if (tombstone && head.valueAt == recordLength) { // a plain tombstone: the tag and its revision
            head.createRevision = 0;
            head.version = 0;
            head.lease = 0;
            head.valueLength = 0;
            return true;
        }
        head.createRevision = head.modRevision - readVarint(bytes, headLength, head);
        head.version = readVarint(bytes, headLength, head);
        int at = head.valueAt;
        head.lease = 0;
        if ((flags & FLAG_LEASE) != 0) {
            if (at + Long.BYTES > headLength) {
                throw new IllegalStateException("a kv record of " + recordLength + " bytes is cut short in its lease");
            }
            head.lease = (long)LONG_LE.get(bytes, at);
            at += Long.BYTES;
        }
        head.valueAt = at;
        head.valueLength = recordLength - at;
        return tombstone;
    }

    private static boolean readSbeHead(final byte[] bytes, final int headLength, final int recordLength,
        final Head head) {
        // The acting block length is the header's: a record written by another schema version may differ.
        final int blockLength = Short.toUnsignedInt((short)SBE_SHORT.get(bytes, MessageHeaderDecoder.blockLengthEncodingOffset()));
        final int body = MessageHeaderDecoder.ENCODED_LENGTH;
        final int valueAt = body + blockLength;
        if (valueAt + KeyValueRecordDecoder.valueHeaderLength() > headLength) {
            throw new IllegalStateException("a kv record of " + recordLength + " bytes with a block of " + blockLength
                + " bytes: the record is cut short, or of a schema whose block does not fit " + headLength + " bytes");
        }
        head.createRevision = (long)SBE_LONG.get(bytes, body + KeyValueRecordDecoder.createRevisionEncodingOffset());
        head.modRevision = (long)SBE_LONG.get(bytes, body + KeyValueRecordDecoder.modRevisionEncodingOffset());
        head.version = (long)SBE_LONG.get(bytes, body + KeyValueRecordDecoder.versionEncodingOffset());
        head.lease = (long)SBE_LONG.get(bytes, body + KeyValueRecordDecoder.leaseEncodingOffset());
        head.valueAt = valueAt + KeyValueRecordDecoder.valueHeaderLength();
        head.valueLength = (int)SBE_INT.get(bytes, valueAt);
        if (head.valueAt + head.valueLength > recordLength) {
            throw new IllegalStateException("a kv record of " + recordLength + " bytes holds a value of "
                + head.valueLength + " bytes at " + head.valueAt);
        }
        return bytes[body + KeyValueRecordDecoder.tombstoneEncodingOffset()] == BooleanType.TRUE.value();
    }

    /** The unsigned LEB128 varint at {@code head.valueAt}, before {@code end}; moves {@code head.valueAt} past it. */
    private static long readVarint(final byte[] bytes, final int end, final Head head) {
        long value = 0;
        for (int shift = 0; shift < Long.SIZE; shift += 7) {
            if (head.valueAt >= end) {
                throw new IllegalStateException("a kv record is cut short in a varint at byte " + head.valueAt);
            }
            final int b = bytes[head.valueAt++];
            value |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalStateException("a kv record holds a varint longer than 10 bytes at byte " + head.valueAt);
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
    /** The compact format's lease. */
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SBE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class,
        KeyValueRecordDecoder.BYTE_ORDER);
    private static final VarHandle SBE_INT = MethodHandles.byteArrayViewVarHandle(int[].class,
        KeyValueRecordDecoder.BYTE_ORDER);
    private static final VarHandle SBE_SHORT = MethodHandles.byteArrayViewVarHandle(short[].class,
        MessageHeaderDecoder.BYTE_ORDER);

    /**
     * Each thread's encode flyweights and scratch arrays (the apply thread's, chiefly): encoding a
     * version made two of them plus a buffer each time (issue #21). Used within one call, never kept.
     */
    private static final class Codecs {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);
        final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        final KeyValueRecordEncoder encoder = new KeyValueRecordEncoder();
        /**
         * A record's head as {@link #decodeHead} copies it: the compact head (at most 39 bytes), or
         * the SBE header, fixed fields and value length, with room for the block to grow in later
         * schema versions.
         */
        final byte[] head = new byte[4 * OVERHEAD_BYTES];
        /** What {@link #decodeHead} read from {@link #head}. */
        final Head decodedHead = new Head();
        /** What {@link #encodeIntoScratch} hands out. */
        final Encoded encoded = new Encoded();
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
        final Head head = new Head();
        final boolean tombstone = readHead(bytes, bytes.length, bytes.length, head);
        final byte[] value = Arrays.copyOfRange(bytes, head.valueAt, head.valueAt + head.valueLength);
        return new StoredVersion(head.createRevision, head.modRevision, head.version, head.lease, tombstone, value);
    }
}
