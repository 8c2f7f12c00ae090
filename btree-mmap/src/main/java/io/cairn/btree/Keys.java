package io.cairn.btree;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Key order: unsigned lexicographic bytes, shorter first on a common prefix (bbolt's and etcd's order). */
final class Keys {
    static final int MAX_KEY_BYTES = 1024;

    private Keys() {
    }

    private static final ValueLayout.OfLong BIG_ENDIAN_LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);
    /** Keys this short compare word by word here; longer ones go to the vectorised mismatch. */
    private static final int WORDWISE_MAX_BYTES = 32;

    /**
     * Index of the first byte where {@code length} bytes of {@code a} and {@code b} differ, or -1 if
     * none does: word by word, as {@link #compare} does for short keys (a leaf's prefix and a key's
     * start are tens of bytes; {@code MemorySegment.mismatch} costs more than that there).
     */
    static int mismatch(MemorySegment a, long aOffset, MemorySegment b, long bOffset, int length) {
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            long x = a.get(BIG_ENDIAN_LONG, aOffset + i);
            long y = b.get(BIG_ENDIAN_LONG, bOffset + i);
            if (x != y) {
                return i + Long.numberOfLeadingZeros(x ^ y) / 8;
            }
        }
        for (; i < length; i++) {
            if (a.get(ValueLayout.JAVA_BYTE, aOffset + i) != b.get(ValueLayout.JAVA_BYTE, bOffset + i)) {
                return i;
            }
        }
        return -1;
    }

    static int compare(MemorySegment a, long aOffset, int aLength, MemorySegment b, long bOffset, int bLength) {
        int common = Math.min(aLength, bLength);
        if (common <= WORDWISE_MAX_BYTES) {
            int i = 0;
            for (; i + 8 <= common; i += 8) {
                long x = a.get(BIG_ENDIAN_LONG, aOffset + i);
                long y = b.get(BIG_ENDIAN_LONG, bOffset + i);
                if (x != y) {
                    return Long.compareUnsigned(x, y);
                }
            }
            for (; i < common; i++) {
                int x = Byte.toUnsignedInt(a.get(ValueLayout.JAVA_BYTE, aOffset + i));
                int y = Byte.toUnsignedInt(b.get(ValueLayout.JAVA_BYTE, bOffset + i));
                if (x != y) {
                    return x - y;
                }
            }
            return Integer.compare(aLength, bLength);
        }
        long mismatch = MemorySegment.mismatch(a, aOffset, aOffset + aLength, b, bOffset, bOffset + bLength);
        if (mismatch < 0) {
            return 0;
        }
        if (mismatch == aLength) {
            return -1;
        }
        if (mismatch == bLength) {
            return 1;
        }
        return Byte.toUnsignedInt(a.get(ValueLayout.JAVA_BYTE, aOffset + mismatch))
                - Byte.toUnsignedInt(b.get(ValueLayout.JAVA_BYTE, bOffset + mismatch));
    }
}
