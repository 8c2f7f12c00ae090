package io.cairn.btree;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

/**
 * One committed state of the file: which txid, where the bucket directory and the freelist are, and
 * how many pages are in use. Pages 0 and 1 each hold one; the valid one with the higher txid wins.
 *
 * <pre>
 * 0  page header (pgno 0 or 1, flags META)
 * 24 u64 magic "CAIRNBT1"   32 u32 format version   36 u32 page size bytes
 * 40 u64 txid   48 u64 directory root pgno   56 u64 freelist pgno   64 u64 high-water mark (pages)
 * 72 u32 CRC32C of bytes [0, 72)
 * </pre>
 */
record Meta(long txid, long rootPgno, long freelistPgno, long highWaterPages) {
    /** "CAIRNBT1" read as a little-endian u64. */
    static final long MAGIC = 0x3154_424E_5249_4143L;
    /**
     * The version this build writes. 2: leaves may keep their keys' shared prefix once ({@link Node});
     * a file of version 1 has no such leaf and is read as it is, and its next commit says 2, so a
     * build that reads only 1 refuses the file instead of misreading its leaves.
     */
    static final int FORMAT_VERSION = 2;
    /** The oldest version this build reads. */
    static final int OLDEST_READABLE_VERSION = 1;
    private static final int OFF_MAGIC = 24;
    private static final int OFF_VERSION = 32;
    private static final int OFF_PAGE_SIZE = 36;
    private static final int OFF_TXID = 40;
    private static final int OFF_ROOT = 48;
    private static final int OFF_FREELIST = 56;
    private static final int OFF_HIGH_WATER = 64;
    private static final int OFF_CHECKSUM = 72;
    static final int ENCODED_BYTES = 76;

    void encode(MemorySegment page, int slot) {
        page.asSlice(0, Page.SIZE_BYTES).fill((byte) 0);
        Page.setPgno(page, 0, slot);
        Page.setFlags(page, 0, Page.FLAG_META);
        page.set(Page.U64, OFF_MAGIC, MAGIC);
        page.set(Page.U32, OFF_VERSION, FORMAT_VERSION);
        page.set(Page.U32, OFF_PAGE_SIZE, Page.SIZE_BYTES);
        page.set(Page.U64, OFF_TXID, txid);
        page.set(Page.U64, OFF_ROOT, rootPgno);
        page.set(Page.U64, OFF_FREELIST, freelistPgno);
        page.set(Page.U64, OFF_HIGH_WATER, highWaterPages);
        page.set(Page.U32, OFF_CHECKSUM, checksum(page));
    }

    /** Why the meta page at {@code base} cannot be used, or null if it is valid. */
    static String problem(MemorySegment segment, long base, int slot) {
        if (segment.get(Page.U64, base + OFF_MAGIC) != MAGIC) {
            return "meta page " + slot + " has no Cairn btree magic (not a Cairn btree file?)";
        }
        int pageSize = segment.get(Page.U32, base + OFF_PAGE_SIZE);
        if (pageSize != Page.SIZE_BYTES) {
            return "meta page " + slot + " says page size " + pageSize + " bytes, this build uses " + Page.SIZE_BYTES;
        }
        int version = segment.get(Page.U32, base + OFF_VERSION);
        if (version < OLDEST_READABLE_VERSION || version > FORMAT_VERSION) {
            return "meta page " + slot + " has format version " + version + ", this build reads "
                    + OLDEST_READABLE_VERSION + " to " + FORMAT_VERSION;
        }
        if (segment.get(Page.U32, base + OFF_CHECKSUM) != checksum(segment.asSlice(base, Page.SIZE_BYTES))) {
            return "meta page " + slot + " fails its checksum";
        }
        if (Page.pgno(segment, base) != slot || Page.flags(segment, base) != Page.FLAG_META) {
            return "meta page " + slot + " has a wrong page header";
        }
        return null;
    }

    /**
     * Why the meta page at {@code base} is one this build must not fall back from: intact, but of a
     * newer format version (the other meta page, of an older commit, may still be readable, and
     * opening that would silently drop the newest commit). Null otherwise.
     */
    static String newerFormat(MemorySegment segment, long base, int slot) {
        int version = segment.get(Page.U32, base + OFF_VERSION);
        if (segment.get(Page.U64, base + OFF_MAGIC) != MAGIC || version <= FORMAT_VERSION
                || segment.get(Page.U32, base + OFF_CHECKSUM) != checksum(segment.asSlice(base, Page.SIZE_BYTES))) {
            return null;
        }
        return "meta page " + slot + " has format version " + version + ", written by a newer release; this build reads "
                + OLDEST_READABLE_VERSION + " to " + FORMAT_VERSION;
    }

    static Meta decode(MemorySegment segment, long base) {
        return new Meta(segment.get(Page.U64, base + OFF_TXID), segment.get(Page.U64, base + OFF_ROOT),
                segment.get(Page.U64, base + OFF_FREELIST), segment.get(Page.U64, base + OFF_HIGH_WATER));
    }

    private static int checksum(MemorySegment page) {
        CRC32C crc = new CRC32C();
        crc.update(page.asSlice(0, OFF_CHECKSUM).asByteBuffer());
        return (int) crc.getValue();
    }
}
