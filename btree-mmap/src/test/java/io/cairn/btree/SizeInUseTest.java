package io.cairn.btree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Env#sizeInUseBytes}: what the newest tree uses, which etcd reports as its db's size in use
 * (Status, /metrics) and operators compare with the file's size to decide on a defragmentation.
 * It falls when keys are deleted while the file keeps its size, it is the same after a reopen, and a
 * defragmentation brings the file down to about it.
 */
class SizeInUseTest {
    private static final int KEYS = 4_000;
    private static final byte[] VALUE = new byte[1_000];

    @TempDir
    Path dir;

    @Test
    void deletesFreePagesThatTheFileKeepsUntilADefragmentation() throws Exception {
        Path path = dir.resolve("in-use.db");
        long inUseAfterDeletes;
        try (Env env = Env.open(path, EnvOptions.defaults().withSyncOnCommit(false))) {
            write(env, true);
            long inUseFull = env.sizeInUseBytes();
            assertTrue(inUseFull > (long) KEYS * VALUE.length, "holds the values: " + inUseFull);
            assertTrue(inUseFull <= env.highWaterBytes(), "within the high-water mark");
            assertEquals(usedPages(env), inUseFull / Page.SIZE_BYTES, "the pages the tree's check counts");

            write(env, false);
            env.sync();
            inUseAfterDeletes = env.sizeInUseBytes();
            assertTrue(inUseAfterDeletes < inUseFull / 3, "three quarters of the keys deleted: " + inUseAfterDeletes
                    + " of " + inUseFull);
            assertEquals(usedPages(env), inUseAfterDeletes / Page.SIZE_BYTES);
            assertTrue(env.fileSizeBytes() >= inUseFull, "the file keeps its size");
        }
        try (Env env = Env.open(path)) {
            assertEquals(inUseAfterDeletes, env.sizeInUseBytes(), "the same after a reopen");
            env.defragment();
            assertEquals(usedPages(env), env.sizeInUseBytes() / Page.SIZE_BYTES);
            assertTrue(env.fileSizeBytes() < 2 * inUseAfterDeletes + (2L << 20), "the defragmented file is about"
                    + " what was in use: " + env.fileSizeBytes() + " for " + inUseAfterDeletes);
        }
    }

    /** Puts every key, or deletes the first three quarters (whole leaves empty). */
    private static void write(Env env, boolean put) throws Exception {
        for (int from = 0; from < KEYS; from += 500) {
            try (WriteTxn w = env.beginWrite()) {
                Bucket b = w.createBucketIfAbsent("kv");
                for (int k = from; k < from + 500; k++) {
                    byte[] key = ByteBuffer.allocate(8).putLong(k).array();
                    if (put) {
                        b.put(key, VALUE);
                    } else if (k < KEYS * 3 / 4) {
                        b.delete(key);
                    }
                }
                w.commit();
            }
        }
    }

    /** Pages reachable from the newest meta, by the checker: branches, leaves, overflow runs, and the rest. */
    private static long usedPages(Env env) {
        Checker.Report report = env.check();
        return report.highWaterPages() - report.freePages();
    }
}
