package io.cairn.btree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cairn.posix.ForwardingPosix;
import io.cairn.posix.NativePosix;
import io.cairn.posix.OpenFile;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit writes its pages one page per write ({@link Env#writePages}), so that the kernel caches
 * the tree file in single pages: on ext4 a write of a run of pages the cache does not hold becomes
 * one large folio, and every later one-page write into it walks the whole folio (btree-mmap/README.md,
 * "One page per write"). The writes go to the kernel in batches (one io_submit each on
 * {@link NativePosix}); through a layer that sees each, each is a pwritev of one page.
 */
class OnePagePerWriteTest {
    /** Pages 0-3 (metas, directory, freelist) are the fresh file's image, written in one call when it is made. */
    private static final long FRESH_IMAGE_PAGES = 4;

    @TempDir
    Path dir;

    @Test
    void aCommitOfManyAdjacentNewPagesWritesThemOnePageAtATime() throws Exception {
        List<long[]> calls = new ArrayList<>(); // {iovec count, bytes of the first iovec}
        CountingPosix counting = new CountingPosix(calls);
        Path file = dir.resolve("t.db");
        try (Env env = Env.open(file, EnvOptions.defaults().withSyncOnCommit(false), counting)) {
            calls.clear();
            try (WriteTxn w = env.beginWrite()) {
                Bucket b = w.createBucketIfAbsent("b");
                for (int i = 0; i < 20_000; i++) { // keys in order: hundreds of new leaves, numbered one after another
                    b.put(String.format("key-%08d", i).getBytes(), new byte[100]);
                }
                w.commit();
            }
            assertTrue(calls.size() > 500, "a commit of ~600 new pages made " + calls.size() + " pwritev calls");
            for (long[] call : calls) {
                assertEquals(1, call[0], "iovecs in one pwritev");
                assertEquals(Page.SIZE_BYTES, call[1], "bytes in one pwritev");
            }
            env.sync();
        }
        assertNoLargeFolios(file);
    }

    /** The same commit straight through {@link NativePosix}, whose io_submit batches must cache single pages too. */
    @Test
    void aCommitThroughTheKernelsAioLeavesNoLargeFolios() throws Exception {
        Path file = dir.resolve("t.db");
        try (Env env = Env.open(file, EnvOptions.defaults().withSyncOnCommit(false), NativePosix.INSTANCE)) {
            try (WriteTxn w = env.beginWrite()) {
                Bucket b = w.createBucketIfAbsent("b");
                for (int i = 0; i < 20_000; i++) {
                    b.put(String.format("key-%08d", i).getBytes(), new byte[100]);
                }
                w.commit();
            }
            env.sync();
        }
        assertNoLargeFolios(file);
    }

    /**
     * Where the kernel says (root: /proc/self/pagemap gives page frame numbers, /proc/kpageflags their
     * flags), none of the file's cached pages past the fresh image is part of a compound page (a large
     * folio). Elsewhere, or on a file system without large folios, this part proves nothing and is skipped.
     */
    private static void assertNoLargeFolios(Path file) throws IOException {
        Path pagemap = Path.of("/proc/self/pagemap");
        Path kpageflags = Path.of("/proc/kpageflags");
        assumeTrue(Files.isReadable(kpageflags), "no /proc/kpageflags to read (not root)");
        long size = Files.size(file);
        try (Arena arena = Arena.ofConfined();
             FileChannel tree = FileChannel.open(file, StandardOpenOption.READ);
             FileChannel map = FileChannel.open(pagemap, StandardOpenOption.READ);
             FileChannel flags = FileChannel.open(kpageflags, StandardOpenOption.READ)) {
            MemorySegment pages = tree.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            ByteBuffer entry = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            int cached = 0;
            int inLargeFolios = 0;
            for (long page = FRESH_IMAGE_PAGES; page < size / Page.SIZE_BYTES; page++) {
                pages.get(ValueLayout.JAVA_BYTE, page * Page.SIZE_BYTES); // maps the cached page (or reads it)
                long address = pages.address() + page * Page.SIZE_BYTES;
                long frame = read(map, entry, address / Page.SIZE_BYTES * 8) & ((1L << 55) - 1);
                assumeTrue(frame != 0, "page frame numbers are hidden here (not root)");
                long pageFlags = read(flags, entry, frame * 8);
                cached++;
                if ((pageFlags & (1L << 15 | 1L << 16)) != 0) { // KPF_COMPOUND_HEAD, KPF_COMPOUND_TAIL
                    inLargeFolios++;
                }
            }
            assertTrue(cached > 500, cached + " pages");
            assertEquals(0, inLargeFolios, "of the tree file's " + cached + " cached pages, in large folios");
        }
    }

    private static long read(FileChannel channel, ByteBuffer entry, long position) throws IOException {
        entry.clear();
        while (entry.hasRemaining()) {
            if (channel.read(entry, position + entry.position()) < 0) {
                throw new IOException("short read at " + position);
            }
        }
        return entry.getLong(0);
    }

    /** Notes each pwritev's iovec count and the length of its first iovec. */
    private static final class CountingPosix extends ForwardingPosix {
        private final List<long[]> calls;

        CountingPosix(List<long[]> calls) {
            super(NativePosix.INSTANCE);
            this.calls = calls;
        }

        @Override
        public long pwritev(OpenFile file, MemorySegment iovecs, int count, long fileOffset) throws IOException {
            calls.add(new long[] {count, iovecs.get(ValueLayout.JAVA_LONG, 8)});
            return super.pwritev(file, iovecs, count, fileOffset);
        }
    }
}
