package io.cairn.engine.migrate.bolt;

import java.lang.foreign.MemorySegment;

/**
 * One committed state of a bbolt file, in the body of page 0 or 1; the valid one with the higher
 * txid is the file's state (bbolt writes them alternately).
 *
 * <pre>
 * page header, then from offset 16:
 * 0  u32 magic 0xED0CDAED   4  u32 format version 2   8  u32 page size bytes   12 u32 flags
 * 16 root bucket (BoltBucketHeader: u64 root page id, u64 sequence)
 * 32 u64 freelist page id   40 u64 high-water mark (pages in use)   48 u64 txid
 * 56 u64 FNV-1a 64 of bytes [0, 56)
 * </pre>
 */
record BoltMeta(int pageSizeBytes, long rootPageId, long highWaterPages, long txid) {
    static final int MAGIC = 0xED0CDAED;
    static final int FORMAT_VERSION = 2;
    private static final int OFF_MAGIC = 0;
    private static final int OFF_VERSION = 4;
    private static final int OFF_PAGE_SIZE = 8;
    private static final int OFF_ROOT = 16;
    private static final int OFF_HIGH_WATER = 40;
    private static final int OFF_TXID = 48;
    private static final int OFF_CHECKSUM = 56;
    static final int BYTES = 64;
    /** bbolt's page sizes are the OS page size: any power of two in this range is plausible. */
    static final int PAGE_SIZE_MIN_BYTES = 512;
    static final int PAGE_SIZE_MAX_BYTES = 1 << 16;

    private static final long FNV64_OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long FNV64_PRIME = 0x100000001b3L;

    /** The page size meta page 0 claims (to find meta page 1), whether or not the meta is valid. */
    static int claimedPageSize(final MemorySegment file) {
        return file.get(BoltPage.U32, BoltPage.HEADER_BYTES + OFF_PAGE_SIZE);
    }

    /** Why the meta in the page at {@code page} cannot be used, or null if it is valid. */
    static String problem(final MemorySegment page, final int slot) {
        final MemorySegment meta = page.asSlice(BoltPage.HEADER_BYTES, BYTES);
        final int magic = meta.get(BoltPage.U32, OFF_MAGIC);
        if (magic != MAGIC) {
            return Integer.reverseBytes(magic) == MAGIC
                ? "meta page " + slot + " is big-endian (written on s390x?); only little-endian bbolt files are read"
                : "meta page " + slot + " has no bbolt magic (not a bbolt file?)";
        }
        final int version = meta.get(BoltPage.U32, OFF_VERSION);
        if (version != FORMAT_VERSION) {
            return "meta page " + slot + " has bbolt format version " + version + ", expected " + FORMAT_VERSION;
        }
        if (meta.get(BoltPage.U64, OFF_CHECKSUM) != fnv64a(meta.asSlice(0, OFF_CHECKSUM))) {
            return "meta page " + slot + " fails its checksum";
        }
        final int pageSize = meta.get(BoltPage.U32, OFF_PAGE_SIZE);
        if (Integer.bitCount(pageSize) != 1 || pageSize < PAGE_SIZE_MIN_BYTES || pageSize > PAGE_SIZE_MAX_BYTES) {
            return "meta page " + slot + " has page size " + pageSize + " bytes";
        }
        final BoltPage header = new BoltPage(page);
        if (header.flags() != BoltPage.FLAG_META) {
            return "meta page " + slot + " is not flagged as a meta page (flags 0x" + Integer.toHexString(header.flags())
                + ")";
        }
        return null;
    }

    static BoltMeta read(final MemorySegment page) {
        final MemorySegment meta = page.asSlice(BoltPage.HEADER_BYTES, BYTES);
        return new BoltMeta(meta.get(BoltPage.U32, OFF_PAGE_SIZE), meta.get(BoltPage.U64, OFF_ROOT),
            meta.get(BoltPage.U64, OFF_HIGH_WATER), meta.get(BoltPage.U64, OFF_TXID));
    }

    /** Go's hash/fnv New64a, the checksum bbolt keeps in each meta. */
    static long fnv64a(final MemorySegment bytes) {
        long hash = FNV64_OFFSET_BASIS;
        for (long i = 0; i < bytes.byteSize(); i++) {
            hash ^= bytes.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) & 0xFF;
            hash *= FNV64_PRIME;
        }
        return hash;
    }
}
