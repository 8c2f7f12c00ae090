package io.cairn.engine.migrate.bolt;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A bbolt database file opened read-only (etcd's backend, as `etcdctl snapshot save` writes it):
 * mapped once, its newest valid meta chosen, its pages handed out bounds-checked. Nothing is
 * written and no lock is taken.
 */
public final class BoltFile implements AutoCloseable {
    /** The two meta pages come first; any file has at least them. */
    private static final int META_PAGES = 2;

    private final Path path;
    private final Arena arena;
    private final MemorySegment bytes;
    private final BoltMeta meta;

    private BoltFile(final Path path, final Arena arena, final MemorySegment bytes, final BoltMeta meta) {
        this.path = path;
        this.arena = arena;
        this.bytes = bytes;
        this.meta = meta;
    }

    /**
     * Opens the first {@code contentBytes} of {@code path} (a snapshot's trailer is not part of the
     * database).
     *
     * @throws BoltFormatException if it is not a bbolt file, is truncated, or neither meta is valid
     */
    public static BoltFile open(final Path path, final long contentBytes) throws IOException {
        if (contentBytes < BoltPage.HEADER_BYTES + BoltMeta.BYTES) {
            throw new BoltFormatException(path, "truncated: " + contentBytes + " bytes is too short for a bbolt file");
        }
        final Arena arena = Arena.ofConfined();
        try {
            final MemorySegment bytes;
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, contentBytes, arena);
            }
            final BoltMeta meta = newestMeta(path, bytes);
            final long usedBytes = meta.highWaterPages() * meta.pageSizeBytes();
            if (meta.highWaterPages() < META_PAGES || usedBytes > contentBytes) {
                throw new BoltFormatException(path, "truncated: its meta counts " + meta.highWaterPages() + " pages of "
                    + meta.pageSizeBytes() + " bytes, the file holds " + contentBytes + " bytes");
            }
            return new BoltFile(path, arena, bytes, meta);
        } catch (final IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** bbolt's rule: of the two metas, the valid one with the higher txid. */
    private static BoltMeta newestMeta(final Path path, final MemorySegment bytes) {
        final String problem0 = BoltMeta.problem(bytes, 0);
        final int pageSize = problem0 == null ? BoltMeta.claimedPageSize(bytes) : guessPageSize(bytes);
        if ((long)META_PAGES * pageSize > bytes.byteSize()) {
            throw new BoltFormatException(path, problem0 != null ? problem0
                : "truncated: " + bytes.byteSize() + " bytes cannot hold two meta pages of " + pageSize + " bytes");
        }
        final MemorySegment page1 = bytes.asSlice(pageSize);
        final String problem1 = BoltMeta.problem(page1, 1);
        if (problem0 != null && problem1 != null) {
            throw new BoltFormatException(path, problem0 + "; " + problem1);
        }
        final BoltMeta meta0 = problem0 == null ? BoltMeta.read(bytes) : null;
        final BoltMeta meta1 = problem1 == null ? BoltMeta.read(page1) : null;
        if (meta0 != null && meta1 != null && meta0.pageSizeBytes() != meta1.pageSizeBytes()) {
            throw new BoltFormatException(path, "its meta pages disagree on the page size (" + meta0.pageSizeBytes()
                + " and " + meta1.pageSizeBytes() + " bytes)");
        }
        if (meta0 == null) {
            return meta1;
        }
        return meta1 == null || meta0.txid() >= meta1.txid() ? meta0 : meta1;
    }

    /** Meta page 0 is damaged: meta page 1 is where a usual page size puts it, or nowhere. */
    private static int guessPageSize(final MemorySegment bytes) {
        final int claimed = BoltMeta.claimedPageSize(bytes);
        final boolean plausible = Integer.bitCount(claimed) == 1 && claimed >= BoltMeta.PAGE_SIZE_MIN_BYTES
            && claimed <= BoltMeta.PAGE_SIZE_MAX_BYTES;
        return plausible ? claimed : 4096;
    }

    public Path path() {
        return path;
    }

    /** The txid of the state this file is read at. */
    public long txid() {
        return meta.txid();
    }

    public int pageSizeBytes() {
        return meta.pageSizeBytes();
    }

    /** The file's root bucket, in which etcd's buckets are nested. */
    public BoltBucket root() {
        final BoltPage page = page(meta.rootPageId(), "(root)");
        return BoltBucket.ofPage(this, "(root)", page);
    }

    /** Page {@code id} with its overflow pages, checked to lie within the file and to say it is that page. */
    BoltPage page(final long id, final String bucketName) {
        if (id < META_PAGES || id >= meta.highWaterPages()) {
            throw problem("bucket " + bucketName + " refers to page " + id + ", outside pages [" + META_PAGES + ", "
                + meta.highWaterPages() + ")");
        }
        final long start = id * meta.pageSizeBytes();
        final BoltPage header = new BoltPage(bytes.asSlice(start, BoltPage.HEADER_BYTES));
        final long spanBytes = (header.overflow() + 1) * meta.pageSizeBytes();
        if (header.id() != id) {
            throw problem("page " + id + " (bucket " + bucketName + ") says it is page " + header.id());
        }
        if (start + spanBytes > meta.highWaterPages() * meta.pageSizeBytes()) {
            throw problem("page " + id + " (bucket " + bucketName + ") overflows past the last page");
        }
        return new BoltPage(bytes.asSlice(start, spanBytes));
    }

    BoltFormatException problem(final String what) {
        return new BoltFormatException(path, what);
    }

    @Override
    public void close() {
        arena.close();
    }
}
