package io.cairn.btree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.io.TempDirFactory;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Overwriting the same keys many times reuses freed pages: the file stays under 3x the live data,
 * with synced commits and with small unsynced commits synced now and then (the engine's pattern).
 */
class ChurnFileSizeTest {
    private static final int KEYS = 100_000;
    private static final int ROUNDS = 20;
    private static final int PUTS_PER_TXN = 2_000;

    /** This test is about page reuse, not the disk: on tmpfs (if present) its 1000 fdatasyncs are free. */
    @TempDir(factory = TmpfsIfPresent.class)
    Path dir;

    @Test
    void fileStaysUnderThreeTimesLiveData() throws Exception {
        long seed = Long.getLong("cairn.btree.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        Path file = dir.resolve("churn.db");
        long liveBytes = 0;
        int[] order = new int[KEYS];
        for (int i = 0; i < KEYS; i++) {
            order[i] = i;
        }
        try (Env env = Env.open(file, EnvOptions.defaults().withMapSizeBytes(4L << 30))) {
            for (int round = 0; round < ROUNDS; round++) {
                shuffle(order, random);
                liveBytes = 0;
                for (int start = 0; start < KEYS; start += PUTS_PER_TXN) {
                    try (WriteTxn w = env.beginWrite()) {
                        Bucket b = w.createBucketIfAbsent("churn");
                        for (int i = start; i < start + PUTS_PER_TXN; i++) {
                            byte[] key = String.format("key-%08d", order[i]).getBytes();
                            byte[] value = new byte[80 + random.nextInt(40)];
                            random.nextBytes(value);
                            b.put(key, value);
                        }
                        w.commit();
                    }
                }
            }
            try (ReadTxn r = env.beginRead()) {
                Cursor c = r.bucket("churn").cursor();
                for (boolean ok = c.first(); ok; ok = c.next()) {
                    liveBytes += c.key().byteSize() + c.value().byteSize();
                }
                assertEquals(KEYS, r.bucket("churn").count());
            }
            Checker.Report report = env.check();
            long fileBytes = Files.size(file);
            assertTrue(fileBytes < 3 * liveBytes, "seed " + seed + ": file is " + fileBytes + " bytes for " + liveBytes
                    + " bytes of live data (" + report + ")");
        }
    }

    /**
     * Small unsynced commits (the engine applies a few writes per transaction and syncs every 100 ms)
     * once made the file grow without bound: every commit rewrote the whole freelist into a fresh
     * contiguous run, which the scattered free pages could not supply, so each commit grew the file
     * and the freelist with it. The freelist is now written only when a meta is made durable.
     */
    @Test
    void smallUnsyncedCommitsDoNotGrowTheFile() throws Exception {
        long seed = Long.getLong("cairn.btree.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        Path file = dir.resolve("unsynced-churn.db");
        final int keys = 20_000;
        try (Env env = Env.open(file, EnvOptions.defaults().withSyncOnCommit(false).withMapSizeBytes(4L << 30))) {
            long revision = 0;
            for (int commit = 1; commit <= 16_000; commit++) {
                try (WriteTxn w = env.beginWrite()) {
                    // The MVCC layout: a new version of a random key, and the revision index appended to.
                    Bucket versions = w.createBucketIfAbsent("versions");
                    Bucket history = w.createBucketIfAbsent("history");
                    for (int i = 0; i < 5; i++) {
                        revision++;
                        byte[] key = String.format("key-%08d-%016x", random.nextInt(keys), Long.MAX_VALUE - revision).getBytes();
                        byte[] value = new byte[300];
                        random.nextBytes(value);
                        versions.put(key, value);
                        history.put(String.format("%016x", revision).getBytes(), key);
                    }
                    w.commit();
                }
                if (commit % 100 == 0) {
                    env.sync();
                }
            }
            Checker.Report report = env.check();
            long treePages = report.branchPages() + report.leafPages() + report.overflowPages();
            assertTrue(report.highWaterPages() < 3 * treePages, "seed " + seed + ": " + report.highWaterPages()
                    + " pages in the file for " + treePages + " tree pages (" + report + ")");
        }
    }

    private static void shuffle(int[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    static final class TmpfsIfPresent implements TempDirFactory {
        @Override
        public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext extension) throws java.io.IOException {
            Path shm = Path.of("/dev/shm");
            return Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "cairn-btree-churn")
                    : Files.createTempDirectory("cairn-btree-churn");
        }
    }
}
