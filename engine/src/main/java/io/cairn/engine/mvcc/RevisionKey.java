package io.cairn.engine.mvcc;

import java.util.Arrays;

/**
 * The B+tree key of one version of a user key in the {@code kv} bucket:
 * escape(user key) + 0x00 0x00 + bigendian(~main revision) + bigendian(~sub revision).
 *
 * <p>Why this shape: all versions of a user key are adjacent and the newest sorts first, so a Range
 * at revision R costs one seek per user key (to the first version at or below R), and a prefix
 * list is a sequential walk. User keys may contain 0x00, so it is escaped as 0x00 0xFF and the
 * terminator is 0x00 0x00: that keeps unsigned byte order of encoded keys equal to etcd's order
 * of user keys (a key sorts before every key it is a prefix of).
 */
public final class RevisionKey {
    private static final byte ESCAPE = 0x00;
    private static final byte ESCAPED_ZERO = (byte)0xFF;
    private static final byte TERMINATOR = 0x00;
    static final int REVISION_BYTES = 16;
    /** etcd keys are bounded by the request size; the B+tree's key limit is 1 KiB. */
    public static final int ENCODED_BYTES_MAX = 1024;

    private RevisionKey() {
    }

    /** Whether every version of {@code userKey} fits the backend's key limit. */
    public static boolean fits(final byte[] userKey) {
        return escapedLength(userKey) + 2 + REVISION_BYTES <= ENCODED_BYTES_MAX;
    }

    /** The bytes that every version of {@code userKey} starts with (escaped key + terminator). */
    public static byte[] userKeyPrefix(final byte[] userKey) {
        final byte[] out = new byte[escapedLength(userKey) + 2];
        final int end = writeEscaped(userKey, out, 0);
        out[end] = ESCAPE;
        out[end + 1] = TERMINATOR;
        return out;
    }

    /** The key of version (main, sub) of {@code userKey}. */
    public static byte[] encode(final byte[] userKey, final long mainRevision, final long subRevision) {
        return encodeInto(new byte[escapedLength(userKey) + 2 + REVISION_BYTES], userKey, mainRevision, subRevision);
    }

    /**
     * As {@link #encode}, into an array of this thread's that the next call on the thread
     * overwrites: for a key used at once and not kept (a seek, a write that copies it). The array is
     * the last call's when the length is the same (keys of one length are the common case): two
     * keys per put were about 100 bytes (issue #21).
     */
    static byte[] encodeIntoScratch(final byte[] userKey, final long mainRevision, final long subRevision) {
        final int length = escapedLength(userKey) + 2 + REVISION_BYTES;
        final Scratch scratch = SCRATCH.get();
        if (scratch.key.length != length) {
            scratch.key = new byte[length];
        }
        return encodeInto(scratch.key, userKey, mainRevision, subRevision);
    }

    /** The last key array {@link #encodeIntoScratch} made on a thread. */
    private static final class Scratch {
        byte[] key = new byte[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static byte[] encodeInto(final byte[] out, final byte[] userKey, final long mainRevision,
        final long subRevision) {
        assert mainRevision >= 0 && subRevision >= 0 : "revisions are non-negative";
        final int prefixLength = out.length - REVISION_BYTES;
        final int end = writeEscaped(userKey, out, 0);
        out[end] = ESCAPE;
        out[end + 1] = TERMINATOR;
        writeLongBigEndian(out, prefixLength, ~mainRevision);
        writeLongBigEndian(out, prefixLength + Long.BYTES, ~subRevision);
        return out;
    }

    /** The user key inside an encoded key. */
    public static byte[] userKey(final byte[] encoded) {
        final int escapedEnd = encoded.length - REVISION_BYTES - 2;
        int length = 0;
        for (int i = 0; i < escapedEnd; i++, length++) {
            if (encoded[i] == ESCAPE) {
                i++; // 0x00 0xFF stands for one 0x00
            }
        }
        final byte[] out = new byte[length];
        for (int i = 0, o = 0; i < escapedEnd; i++, o++) {
            out[o] = encoded[i];
            if (encoded[i] == ESCAPE) {
                assert encoded[i + 1] == ESCAPED_ZERO : "bad escape in revision key";
                i++;
            }
        }
        return out;
    }

    public static long mainRevision(final byte[] encoded) {
        return ~readLongBigEndian(encoded, encoded.length - REVISION_BYTES);
    }

    public static long subRevision(final byte[] encoded) {
        return ~readLongBigEndian(encoded, encoded.length - Long.BYTES);
    }

    private static int escapedLength(final byte[] userKey) {
        int length = userKey.length;
        for (final byte b : userKey) {
            if (b == ESCAPE) {
                length++;
            }
        }
        return length;
    }

    private static int writeEscaped(final byte[] userKey, final byte[] out, final int offset) {
        int o = offset;
        for (final byte b : userKey) {
            out[o++] = b;
            if (b == ESCAPE) {
                out[o++] = ESCAPED_ZERO;
            }
        }
        return o;
    }

    private static void writeLongBigEndian(final byte[] out, final int offset, final long value) {
        for (int i = 0; i < Long.BYTES; i++) {
            out[offset + i] = (byte)(value >>> (56 - 8 * i));
        }
    }

    private static long readLongBigEndian(final byte[] in, final int offset) {
        long value = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            value = (value << 8) | (in[offset + i] & 0xFF);
        }
        return value;
    }
}
