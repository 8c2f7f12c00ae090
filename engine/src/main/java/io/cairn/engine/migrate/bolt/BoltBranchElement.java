package io.cairn.engine.migrate.bolt;

import java.lang.foreign.MemorySegment;

/**
 * One entry of a branch page: the first key of a child page, and that page's id.
 *
 * <pre>
 * 0 u32 pos (from this element to its key)   4 u32 key size   8 u64 child page id
 * </pre>
 */
record BoltBranchElement(MemorySegment key, long childPageId) {
    private static final int OFF_POS = 0;
    private static final int OFF_KEY_SIZE = 4;
    private static final int OFF_CHILD = 8;

    /** Element {@code index} of {@code page}, or null if its key lies outside the page. */
    static BoltBranchElement read(final BoltPage page, final int index) {
        final MemorySegment bytes = page.bytes();
        final long element = BoltPage.elementOffset(index);
        final long keyStart = element + Integer.toUnsignedLong(bytes.get(BoltPage.U32, element + OFF_POS));
        final long keyBytes = Integer.toUnsignedLong(bytes.get(BoltPage.U32, element + OFF_KEY_SIZE));
        if (keyStart + keyBytes > bytes.byteSize()) {
            return null;
        }
        return new BoltBranchElement(bytes.asSlice(keyStart, keyBytes), bytes.get(BoltPage.U64, element + OFF_CHILD));
    }
}
