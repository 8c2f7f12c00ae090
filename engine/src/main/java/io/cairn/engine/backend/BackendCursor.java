package io.cairn.engine.backend;

import java.util.Arrays;
import java.util.Objects;

/** Walks one bucket in unsigned byte order of keys. */
public interface BackendCursor {
    /** Positions at the first entry whose key is >= {@code key}; false if there is none. */
    boolean seek(byte[] key);

    /** Moves to the following entry; false (and invalid) past the last. */
    boolean next();

    byte[] key();

    byte[] value();

    /*
     * Reads of the current entry in place, without an array or a segment per key or value: the
     * put path's lookup of the version it replaces reads through them (issue #21). The defaults
     * copy; the B+tree's cursor reads its page.
     */

    default int keyLength() {
        return key().length;
    }

    /** Whether the current key starts with the first {@code length} bytes of {@code prefix}. */
    default boolean keyStartsWith(final byte[] prefix, final int length) {
        final byte[] key = key();
        return key.length >= length && Arrays.equals(key, 0, length, prefix, 0, length);
    }

    default int valueLength() {
        return value().length;
    }

    /** Copies {@code length} bytes of the current value, from its byte {@code offset}, into {@code dst}. */
    default void copyValue(final int offset, final byte[] dst, final int dstOffset, final int length) {
        final byte[] value = value();
        Objects.checkFromIndexSize(offset, length, value.length);
        System.arraycopy(value, offset, dst, dstOffset, length);
    }
}
