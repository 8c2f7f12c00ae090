package io.cairn.engine.mvcc;

import java.util.Arrays;

/**
 * The keys an etcd request names with (key, range_end): range_end empty means the single key;
 * range_end "\0" means every key >= key; otherwise [key, range_end).
 */
public record KeyRange(byte[] key, byte[] rangeEnd) {
    public static KeyRange of(final byte[] key, final byte[] rangeEnd) {
        return new KeyRange(key, rangeEnd);
    }

    public boolean isSingleKey() {
        return rangeEnd.length == 0;
    }

    boolean unbounded() {
        return rangeEnd.length == 1 && rangeEnd[0] == 0;
    }

    /** Whether {@code userKey} lies in the range. */
    boolean contains(final byte[] userKey) {
        return Arrays.compareUnsigned(userKey, key) >= 0 && !isPastEnd(userKey);
    }

    /** Whether {@code userKey}, met while walking upward from {@link #key}, is past the range. */
    boolean isPastEnd(final byte[] userKey) {
        if (isSingleKey()) {
            return !Arrays.equals(userKey, key);
        }
        return !unbounded() && Arrays.compareUnsigned(userKey, rangeEnd) >= 0;
    }
}
