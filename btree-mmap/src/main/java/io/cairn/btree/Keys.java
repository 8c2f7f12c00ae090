package io.cairn.btree;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Key order: unsigned lexicographic bytes, shorter first on a common prefix (bbolt's and etcd's order). */
final class Keys {
    static final int MAX_KEY_BYTES = 1024;

    private Keys() {
    }

    static int compare(MemorySegment a, long aOffset, int aLength, MemorySegment b, long bOffset, int bLength) {
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
