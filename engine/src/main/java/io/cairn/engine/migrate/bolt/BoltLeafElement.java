package io.cairn.engine.migrate.bolt;

import java.lang.foreign.MemorySegment;

/**
 * One entry of a leaf page: a key and its value, or a key and a nested bucket (flag 0x01, the
 * value is then a BoltBucketHeader, followed by the bucket's page when it is inline).
 *
 * <pre>
 * 0 u32 flags   4 u32 pos (from this element to its key; the value follows the key)
 * 8 u32 key size   12 u32 value size
 * </pre>
 */
record BoltLeafElement(boolean bucket, MemorySegment key, MemorySegment value) {
    private static final int FLAG_BUCKET = 0x01;
    private static final int OFF_FLAGS = 0;
    private static final int OFF_POS = 4;
    private static final int OFF_KEY_SIZE = 8;
    private static final int OFF_VALUE_SIZE = 12;

    /** Element {@code index} of {@code page}, or null if its key or value lies outside the page. */
    static BoltLeafElement read(final BoltPage page, final int index) {
        final MemorySegment bytes = page.bytes();
        final long element = BoltPage.elementOffset(index);
        final int flags = bytes.get(BoltPage.U32, element + OFF_FLAGS);
        final long keyStart = element + Integer.toUnsignedLong(bytes.get(BoltPage.U32, element + OFF_POS));
        final long keyBytes = Integer.toUnsignedLong(bytes.get(BoltPage.U32, element + OFF_KEY_SIZE));
        final long valueBytes = Integer.toUnsignedLong(bytes.get(BoltPage.U32, element + OFF_VALUE_SIZE));
        if (keyStart + keyBytes + valueBytes > bytes.byteSize()) {
            return null;
        }
        return new BoltLeafElement((flags & FLAG_BUCKET) != 0, bytes.asSlice(keyStart, keyBytes),
            bytes.asSlice(keyStart + keyBytes, valueBytes));
    }
}
