package io.cairn.btree;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file stays close to the pages the tree holds while it grows: the engine's quota and an
 * operator's disk see the file, and etcd's db (bbolt, 16 MiB chunks) is what it is compared with
 * (issue #21). Growth steps of an eighth left up to 12.5% of the file unused.
 */
class FileGrowthTest {
    /** A 32nd of the file, and one page of rounding. */
    private static final double SLACK_FRACTION_MAX = 1.0 / 32 + 0.001;
    private static final long SLACK_BYTES_MIN = 1L << 20;

    @TempDir
    Path dir;

    @Test
    void theFileHoldsAtMostAThirtySecondMoreThanTheTree() throws Exception {
        Path path = dir.resolve("growth.db");
        byte[] value = new byte[4_000]; // about a page each
        double worstSlack = 0;
        try (Env env = Env.open(path)) {
            for (int txn = 0; txn < 100; txn++) {
                try (WriteTxn w = env.beginWrite()) {
                    Bucket b = w.createBucketIfAbsent("kv");
                    for (int i = 0; i < 160; i++) {
                        b.put(ByteBuffer.allocate(8).putLong(txn * 1_000L + i).array(), value);
                    }
                    w.commit();
                }
                long fileBytes = Files.size(path);
                assertTrue(fileBytes == env.fileSizeBytes(), "the size the quota reads is the file's");
                long slackBytes = fileBytes - env.highWaterBytes();
                assertTrue(slackBytes >= 0, "the tree lies within its file");
                if (slackBytes > SLACK_BYTES_MIN) {
                    worstSlack = Math.max(worstSlack, (double) slackBytes / fileBytes);
                }
            }
            assertTrue(Files.size(path) > 48L << 20, "grown well past the 1 MiB minimum step: " + Files.size(path));
            assertTrue(worstSlack <= SLACK_FRACTION_MAX, "up to " + String.format("%.1f", 100 * worstSlack)
                    + "% of the file beyond the tree's pages");
        }
    }
}
