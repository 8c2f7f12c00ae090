package io.cairn.btree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link TreeImage}: the random-access image a snapshot transfer reads, and the file a follower receives. */
class TreeImageTest {
    @TempDir
    Path dir;

    private static void commit(Env env, long n) throws java.io.IOException {
        try (WriteTxn w = env.beginWrite()) {
            NumberedWorkload.apply(n, w.createBucketIfAbsent(NumberedWorkload.BUCKET));
            w.commit();
        }
    }

    private static byte[] readAll(TreeImage image) {
        ByteBuffer all = ByteBuffer.allocate(Math.toIntExact(image.sizeBytes()));
        assertEquals(image.sizeBytes(), image.read(0, all));
        return all.array();
    }

    @Test
    void imageBytesAreTheBackupBytes() throws Exception {
        try (Env env = Env.open(dir.resolve("db"), EnvOptions.defaults().withSyncOnCommit(false))) {
            for (long n = 1; n <= 300; n++) {
                commit(env, n);
            }
            ByteArrayOutputStream backup = new ByteArrayOutputStream();
            env.backup(backup);
            try (TreeImage image = env.openImage()) {
                assertEquals(backup.size(), image.sizeBytes());
                assertArrayEquals(backup.toByteArray(), readAll(image));
                ByteBuffer end = ByteBuffer.allocate(10);
                assertEquals(0, image.read(image.sizeBytes(), end), "nothing past the end");
                assertThrows(IndexOutOfBoundsException.class, () -> image.read(image.sizeBytes() + 1, end));
                assertThrows(IndexOutOfBoundsException.class, () -> image.read(-1, end));
            }
        }
    }

    /**
     * Random-sized chunks at random offsets (as a transfer with resends reads them), on another thread than the
     * one that opened the image, while a writer commits and syncs (so pages are freed and reused): the file
     * assembled opens, passes check(), and holds exactly the state of the image's transaction.
     */
    @Test
    void chunksReadInAnyOrderWhileWritersCommitMakeAFileAtTheImagesTransaction() throws Exception {
        Path received = dir.resolve("db.incoming");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // txid after transaction n was committed -> n; the image's state is the n of the greatest txid <= its own.
        ConcurrentSkipListMap<Long, Long> nAtTxid = new ConcurrentSkipListMap<>();
        long imageTxid;
        try (Env env = Env.open(dir.resolve("db"), EnvOptions.defaults().withSyncOnCommit(false))) {
            for (long n = 1; n <= 200; n++) {
                commit(env, n);
                nAtTxid.put(env.lastTxid(), n);
            }
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    for (long n = 201; !stop.get(); n++) {
                        commit(env, n);
                        nAtTxid.put(env.lastTxid(), n);
                        if (n % 10 == 0) {
                            env.sync();
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            try {
                while (nAtTxid.size() < 260) {
                    Thread.onSpinWait();
                }
                TreeImage image = env.openImage();
                imageTxid = image.txid();
                AtomicReference<Throwable> readFailure = new AtomicReference<>();
                Thread reader = Thread.ofPlatform().start(() -> {
                    try (image; FileChannel out = FileChannel.open(received, StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE)) {
                        copyInRandomOrder(image, out, new SplittableRandom(imageTxid));
                    } catch (Throwable t) {
                        readFailure.set(t);
                    }
                });
                reader.join();
                if (readFailure.get() != null) {
                    throw new AssertionError("reading the image failed", readFailure.get());
                }
            } finally {
                stop.set(true);
                writer.join();
            }
            if (failure.get() != null) {
                throw new AssertionError("writer failed", failure.get());
            }
            assertEquals(0, env.readerTable().active(), "the image's reader slot was released by close");
        }
        long expected = nAtTxid.floorEntry(imageTxid).getValue();
        try (Env copy = Env.open(received); ReadTxn r = copy.beginRead()) {
            assertEquals(imageTxid, copy.lastTxid());
            copy.check();
            Bucket b = r.bucket(NumberedWorkload.BUCKET);
            assertEquals(expected, NumberedWorkload.last(b));
            assertNull(NumberedWorkload.difference(b, NumberedWorkload.expectedAfter(expected)));
        }
        // The received file is a working environment: it commits, syncs and reopens.
        try (Env copy = Env.open(received)) {
            commit(copy, expected + 1);
            copy.check();
        }
        try (Env copy = Env.open(received); ReadTxn r = copy.beginRead()) {
            Bucket b = r.bucket(NumberedWorkload.BUCKET);
            assertNull(NumberedWorkload.difference(b, NumberedWorkload.expectedAfter(expected + 1)));
            copy.check();
        }
    }

    private static void copyInRandomOrder(TreeImage image, FileChannel out, SplittableRandom random) throws Exception {
        List<long[]> pieces = new ArrayList<>(); // {offset, length}
        for (long offset = 0; offset < image.sizeBytes(); ) {
            long length = Math.min(1 + random.nextInt(300_000), image.sizeBytes() - offset);
            pieces.add(new long[] {offset, length});
            offset += length;
        }
        Collections.shuffle(pieces, new java.util.Random(random.nextLong()));
        for (long[] piece : pieces) {
            ByteBuffer buffer = random.nextBoolean() ? ByteBuffer.allocateDirect((int) piece[1])
                    : ByteBuffer.allocate((int) piece[1] + 7).position(3).limit(3 + (int) piece[1]);
            int start = buffer.position();
            assertEquals(piece[1], image.read(piece[0], buffer));
            buffer.position(start);
            while (buffer.hasRemaining()) {
                out.write(buffer, piece[0] + buffer.position() - start);
            }
        }
        out.force(true);
    }

    /**
     * An image reads the same bytes every time, also after later commits reused and rewrote the pages its
     * snapshot had free: a transfer resends ranges and checks one checksum over the whole image.
     */
    @Test
    void anImageReadsTheSameBytesAfterLaterCommitsRewriteItsFreePages() throws Exception {
        try (Env env = Env.open(dir.resolve("db"), EnvOptions.defaults().withSyncOnCommit(false))) {
            for (long n = 1; n <= 300; n++) {
                commit(env, n);
            }
            env.sync();
            try (TreeImage image = env.openImage()) {
                byte[] first = readAll(image);
                for (long n = 301; n <= 600; n++) {
                    commit(env, n);
                    if (n % 50 == 0) {
                        env.sync();
                    }
                }
                assertArrayEquals(first, readAll(image), "the image's bytes changed after later commits");
            }
        }
    }

    @Test
    void closingReleasesTheReaderSoPagesAreReusedAndTheEnvCloses() throws Exception {
        Env env = Env.open(dir.resolve("db"), EnvOptions.defaults().withSyncOnCommit(false));
        for (long n = 1; n <= 50; n++) {
            commit(env, n);
        }
        TreeImage image = env.openImage();
        assertEquals(1, env.readerTable().active());
        assertEquals(image.txid(), env.readerTable().oldest());
        assertThrows(IllegalStateException.class, env::close, "an open image pins the map");
        for (long n = 51; n <= 100; n++) {
            commit(env, n);
        }
        env.sync();
        try (WriteTxn w = env.beginWrite()) { // releases what no reader and the durable meta need: not the image's
            w.abort();
        }
        long freeWhileOpen = env.freelist().freeCount();
        image.close();
        image.close(); // idempotent
        assertEquals(ReaderTable.FREE, env.readerTable().oldest(), "no reader left to hold freed pages");
        assertThrows(IllegalStateException.class, () -> image.read(0, ByteBuffer.allocate(1)));
        // Once released, the pages the image pinned go back to the free list at the next write transaction.
        try (WriteTxn w = env.beginWrite()) {
            assertTrue(env.freelist().freeCount() > freeWhileOpen, "pending pages released: " + freeWhileOpen + " -> "
                    + env.freelist().freeCount());
            w.abort();
        }
        env.close();
    }

    @Test
    void aReadTransactionOnTheImagesSnapshotSeesItsStateNotTheNewest() throws Exception {
        try (Env env = Env.open(dir.resolve("db"), EnvOptions.defaults().withSyncOnCommit(false))) {
            for (long n = 1; n <= 20; n++) {
                commit(env, n);
            }
            try (TreeImage image = env.openImage()) {
                commit(env, 21);
                try (ReadTxn r = image.beginRead()) {
                    assertEquals(image.txid(), r.txid());
                    assertEquals(20, NumberedWorkload.last(r.bucket(NumberedWorkload.BUCKET)));
                }
                try (ReadTxn r = env.beginRead()) {
                    assertEquals(21, NumberedWorkload.last(r.bucket(NumberedWorkload.BUCKET)));
                }
            }
        }
    }

    /** Records the ranges the tree asks the kernel to read ahead (offsets from the start of the map). */
    private static final class ReadAheadLog extends io.cairn.posix.ForwardingPosix {
        final List<long[]> ranges = new ArrayList<>();
        java.lang.foreign.MemorySegment map;

        ReadAheadLog() {
            super(io.cairn.posix.NativePosix.INSTANCE);
        }

        @Override
        public java.lang.foreign.MemorySegment mapReadOnly(io.cairn.posix.OpenFile file, long lengthBytes)
            throws java.io.IOException {
            map = delegate.mapReadOnly(file, lengthBytes);
            return map;
        }

        @Override
        public void adviseWillNeed(io.cairn.posix.OpenFile file, java.lang.foreign.MemorySegment range)
            throws java.io.IOException {
            long from = range.address() - map.address();
            ranges.add(new long[] {from, from + range.byteSize()});
            delegate.adviseWillNeed(file, range);
        }

        /** How far from {@code offset} the advised ranges cover without a gap (offset itself if not covered). */
        long advisedUntil(long offset) {
            long until = offset;
            boolean grew = true;
            while (grew) {
                grew = false;
                for (long[] r : ranges) {
                    if (r[0] <= until && r[1] > until) {
                        until = r[1];
                        grew = true;
                    }
                }
            }
            return until;
        }
    }

    /**
     * The map has no readahead (MADV_RANDOM), so an image read front to back, as a snapshot save
     * reads it, asks the kernel to read ahead of it: every read is inside a range asked before it,
     * page-aligned, and after a jump back (a resend) the reads are covered again.
     */
    @Test
    void sequentialReadsAreReadAhead() throws Exception {
        ReadAheadLog posix = new ReadAheadLog();
        try (Env env = Env.open(dir.resolve("db"), EnvOptions.defaults().withSyncOnCommit(false), posix)) {
            byte[] value = new byte[1000];
            for (int batch = 0; batch < 30; batch++) {
                try (WriteTxn w = env.beginWrite()) {
                    Bucket bucket = w.createBucketIfAbsent("b");
                    for (int i = 0; i < 1000; i++) {
                        bucket.put(String.format("k%08d", batch * 1000 + i).getBytes(), value);
                    }
                    w.commit();
                }
            }
            try (TreeImage image = env.openImage()) {
                assertTrue(image.sizeBytes() > 3 * TreeImage.READ_AHEAD_BYTES, "a few read-ahead windows: " + image.sizeBytes());
                ByteBuffer chunk = ByteBuffer.allocate(32 * 1024);
                for (long offset = 0; offset < image.sizeBytes(); offset += chunk.capacity()) {
                    chunk.clear();
                    image.read(offset, chunk);
                    long end = Math.min(offset + chunk.capacity(), image.sizeBytes());
                    assertTrue(posix.advisedUntil(offset) >= end, "bytes " + offset + ".." + end + " asked ahead");
                }
                for (long[] r : posix.ranges) {
                    assertEquals(0, r[0] % Page.SIZE_BYTES, "page-aligned");
                }
                int asked = posix.ranges.size();
                assertTrue(asked < image.sizeBytes() / chunk.capacity() / 8, "asked once per half window, not per read: "
                    + asked);
                chunk.clear();
                image.read(Page.SIZE_BYTES * 3L, chunk); // a resend from near the start
                assertTrue(posix.advisedUntil(Page.SIZE_BYTES * 3L) >= Page.SIZE_BYTES * 3L + chunk.capacity());
                assertTrue(posix.ranges.size() > asked, "asked again after the jump back");
            }
        }
    }
}
