package io.cairn.btree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pages written and freed between two syncs are reused before the next sync (see {@link Freelist}):
 * a thousand unsynced commits to one key keep the file where it was instead of growing by a root and
 * a leaf each, and a reader still holding one of those commits keeps its pages.
 */
class YoungPageReuseTest {
    private static final int COMMITS = 1_000;
    /** Root, leaf and the directory's pages for two or three commits in flight, with room to spare. */
    private static final long GROWTH_PAGES_MAX = 16;

    @TempDir
    Path dir;

    @Test
    void unsyncedCommitsReuseThePagesTheyFree() throws Exception {
        try (Env env = Env.open(dir.resolve("young.db"), EnvOptions.defaults().withSyncOnCommit(false))) {
            put(env, "key", "first");
            env.sync();
            long startPages = env.highWaterBytes() / Page.SIZE_BYTES;
            for (int i = 0; i < COMMITS; i++) {
                put(env, "key", "value-" + i);
            }
            long grownPages = env.highWaterBytes() / Page.SIZE_BYTES - startPages;
            assertTrue(grownPages <= GROWTH_PAGES_MAX, COMMITS + " unsynced commits to one key grew the file by "
                    + grownPages + " pages");
            env.sync();
            env.check();
        }
    }

    @Test
    void aReaderKeepsTheYoungPagesOfItsSnapshot() throws Exception {
        try (Env env = Env.open(dir.resolve("young.db"), EnvOptions.defaults().withSyncOnCommit(false))) {
            put(env, "key", "synced");
            env.sync();
            put(env, "key", "young"); // its pages are written after the durable meta: young
            try (ReadTxn reader = env.beginRead()) {
                for (int i = 0; i < COMMITS; i++) {
                    put(env, "key", "later-" + i);
                }
                assertArrayEquals(bytes("young"), reader.bucket("b").get(bytes("key")).toArray(ValueLayout.JAVA_BYTE),
                        "the reader's snapshot after " + COMMITS + " commits");
            }
            env.sync();
            env.check();
        }
    }

    private static void put(Env env, String key, String value) throws Exception {
        try (WriteTxn w = env.beginWrite()) {
            w.createBucketIfAbsent("b").put(bytes(key), bytes(value));
            w.commit();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
