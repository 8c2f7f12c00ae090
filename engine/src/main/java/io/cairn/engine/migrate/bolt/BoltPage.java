package io.cairn.engine.migrate.bolt;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * One bbolt page, or an inline bucket's page, as a view over its bytes. bbolt writes in the byte
 * order of the machine; this reader takes the little-endian files of x86-64 and arm64.
 *
 * <pre>
 * 0  u64 page id        8  u16 flags (0x01 branch, 0x02 leaf, 0x04 meta, 0x10 freelist)
 * 10 u16 element count  12 u32 overflow: how many more pages this one spans
 * 16 the elements, 16 bytes each (BoltBranchElement, BoltLeafElement), then their keys and values
 * </pre>
 */
final class BoltPage {
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static final int HEADER_BYTES = 16;
    static final int ELEMENT_BYTES = 16;
    static final int FLAG_BRANCH = 0x01;
    static final int FLAG_LEAF = 0x02;
    static final int FLAG_META = 0x04;
    private static final int OFF_ID = 0;
    private static final int OFF_FLAGS = 8;
    private static final int OFF_COUNT = 10;
    private static final int OFF_OVERFLOW = 12;

    /** The page's bytes: its whole span, overflow pages included (an inline page: the rest of the value). */
    private final MemorySegment bytes;

    BoltPage(final MemorySegment bytes) {
        this.bytes = bytes;
    }

    static boolean fitsHeader(final MemorySegment bytes) {
        return bytes.byteSize() >= HEADER_BYTES;
    }

    MemorySegment bytes() {
        return bytes;
    }

    long id() {
        return bytes.get(U64, OFF_ID);
    }

    int flags() {
        return Short.toUnsignedInt(bytes.get(U16, OFF_FLAGS));
    }

    int count() {
        return Short.toUnsignedInt(bytes.get(U16, OFF_COUNT));
    }

    long overflow() {
        return Integer.toUnsignedLong(bytes.get(U32, OFF_OVERFLOW));
    }

    boolean isBranch() {
        return flags() == FLAG_BRANCH;
    }

    boolean isLeaf() {
        return flags() == FLAG_LEAF;
    }

    /** Where element {@code index} starts; its key and value positions count from there. */
    static long elementOffset(final int index) {
        return HEADER_BYTES + (long)index * ELEMENT_BYTES;
    }

    /** Whether the element table fits the page's bytes. */
    boolean elementsFit() {
        return elementOffset(count()) <= bytes.byteSize();
    }
}
