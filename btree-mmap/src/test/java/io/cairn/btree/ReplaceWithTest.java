package io.cairn.btree;

import static io.cairn.btree.DefragmentTest.assertSameContents;
import static io.cairn.btree.DefragmentTest.contents;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;

import io.cairn.posix.Call;
import io.cairn.posix.Errno;
import io.cairn.posix.FaultyPosix;
import io.cairn.posix.NativePosix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Env#replaceWith}: a backup image becomes the file, with the finishing commit in it, while
 * readers begun before keep their snapshot; the result survives a power cut; a failed rename leaves the
 * file as it was and the replacement ready to be used again (what a restart after a crash does).
 */
class ReplaceWithTest {
    private static final String KEPT = "kept";
    private static final byte[] KEPT_KEY = "member".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEPT_VALUE = "this member's own".getBytes(StandardCharsets.US_ASCII);
    private static final Consumer<WriteTxn> KEEP = txn -> txn.createBucketIfAbsent(KEPT).put(KEPT_KEY, KEPT_VALUE);

    @TempDir
    Path dir;

    @Test
    void anImageBecomesTheFileWithTheFinishingCommitWhileEarlierReadersKeepTheirs() throws Exception {
        Path file = dir.resolve("db");
        Path incoming = dir.resolve("incoming.snap");
        Map<String, Map<String, String>> expected = image(incoming, 1);
        try (Env env = Env.open(file, EnvOptions.defaults().withSyncOnCommit(false))) {
            DefragmentTest.Model own = new DefragmentTest.Model();
            SplittableRandom random = new SplittableRandom(2);
            for (int txn = 0; txn < 10; txn++) {
                own.randomTxn(env, random, 200, true);
            }
            Map<String, Map<String, String>> before = contents(env);
            long txidBefore;
            try (ReadTxn earlier = env.beginRead()) {
                txidBefore = earlier.txid();
                assertTrue(env.replaceWith(incoming, KEEP));
                assertSameContents(before, contents(earlier), "a read begun before the replacement");
            }
            assertFalse(Files.exists(incoming), "the replacement was renamed over the file");
            assertSameContents(expected, contents(env), "the file after the replacement");
            try (ReadTxn after = env.beginRead()) {
                assertTrue(after.txid() > txidBefore, "txids go on past the replaced file's: " + after.txid());
            }
            env.check();
            DefragmentTest.Model more = new DefragmentTest.Model();
            more.randomTxn(env, random, 200, false); // the new file takes writes
            expected = contents(env);
            env.sync();
        }
        assertReopensWith(file, expected, "after a reopen");
    }

    /**
     * A power cut keeps or drops each unsynced change at random (the seed picks); eight seeds, so a rename
     * left unsynced is dropped in some of them (replay one with its seed from the failure's message).
     * {@code -Dcairn.replace.seed} runs that one round.
     */
    @Test
    void aPowerCutAfterTheReplacementKeepsIt() throws Exception {
        String replay = System.getProperty("cairn.replace.seed");
        // Seeds far apart: java.util.Random's first choices from neighbouring seeds are all alike.
        SplittableRandom seeds = new SplittableRandom(20261204L);
        for (int round = 0; round < (replay == null ? 8 : 1); round++) {
            long seed = replay == null ? seeds.nextLong() : Long.parseLong(replay);
            Path roundDir = Files.createDirectory(dir.resolve("cut-" + round));
            Path file = roundDir.resolve("db");
            Path incoming = roundDir.resolve("incoming.snap");
            Map<String, Map<String, String>> expected = image(incoming, seed);
            FaultyPosix posix = new FaultyPosix(NativePosix.INSTANCE, roundDir.resolve("stash"));
            Env env = Env.open(file, EnvOptions.defaults().withSyncOnCommit(false), posix);
            new DefragmentTest.Model().randomTxn(env, new SplittableRandom(seed), 300, true);
            env.sync();
            assertTrue(env.replaceWith(incoming, KEEP));
            posix.cutPower();
            env.close();
            posix.revertUnsynced(seed);
            assertReopensWith(file, expected, "the replacement, after a power cut (seed " + seed + ")");
        }
    }

    @Test
    void aFailedRenameLeavesTheFileAndTheReplacementCanBeUsedAgain() throws Exception {
        Path file = dir.resolve("db");
        Path incoming = dir.resolve("incoming.snap");
        Map<String, Map<String, String>> expected = image(incoming, 5);
        FaultyPosix posix = new FaultyPosix(NativePosix.INSTANCE, dir.resolve("stash"));
        try (Env env = Env.open(file, EnvOptions.defaults().withSyncOnCommit(false), posix)) {
            new DefragmentTest.Model().randomTxn(env, new SplittableRandom(6), 300, true);
            Map<String, Map<String, String>> own = contents(env);
            posix.failNext(Call.RENAME, p -> true, Errno.EIO, 1);
            assertThrows(IOException.class, () -> env.replaceWith(incoming, KEEP));
            assertSameContents(own, contents(env), "the file, after the failed replacement");
            new DefragmentTest.Model().randomTxn(env, new SplittableRandom(7), 50, false); // still takes writes
            assertTrue(Files.exists(incoming));
            assertTrue(env.replaceWith(incoming, KEEP)); // as a restart after a crash before the rename would
            assertSameContents(expected, contents(env), "the file, replaced at the second try");
            env.check();
        }
    }

    @Test
    void noSwapWhileTheFileADefragmentationReplacedIsStillRead() throws Exception {
        Path file = dir.resolve("db");
        Path incoming = dir.resolve("incoming.snap");
        Map<String, Map<String, String>> expected = image(incoming, 10);
        try (Env env = Env.open(file, EnvOptions.defaults().withSyncOnCommit(false))) {
            new DefragmentTest.Model().randomTxn(env, new SplittableRandom(11), 300, true);
            Map<String, Map<String, String>> own = contents(env);
            try (ReadTxn reading = env.beginRead()) {
                env.defragment(); // the old file stays mapped for the reader
                assertFalse(env.replaceWith(incoming, KEEP), "a second replaced file would have to stay mapped too");
                assertSameContents(own, contents(env), "the file, not replaced");
                assertSameContents(own, contents(reading), "the reader of the defragmented file");
            }
            assertTrue(Files.exists(incoming));
            assertTrue(env.replaceWith(incoming, KEEP), "once the reader ended");
            assertSameContents(expected, contents(env), "the file, replaced");
        }
    }

    /** A snapshot save (an image) running while the file is replaced goes on reading what it began on. */
    @Test
    void anImageOpenedBeforeTheReplacementStillReadsItsSnapshot() throws Exception {
        Path file = dir.resolve("db");
        Path incoming = dir.resolve("incoming.snap");
        Path imageCopy = dir.resolve("image-copy.db");
        Map<String, Map<String, String>> expected = image(incoming, 12);
        Map<String, Map<String, String>> atImage;
        try (Env env = Env.open(file, EnvOptions.defaults().withSyncOnCommit(false))) {
            new DefragmentTest.Model().randomTxn(env, new SplittableRandom(13), 300, true);
            atImage = contents(env);
            try (TreeImage image = env.openImage()) {
                assertTrue(env.replaceWith(incoming, KEEP));
                assertSameContents(expected, contents(env), "the file, replaced");
                try (OutputStream out = Files.newOutputStream(imageCopy)) {
                    java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(1 << 16);
                    for (long offset = 0; offset < image.sizeBytes(); ) {
                        buffer.clear();
                        offset += image.read(offset, buffer);
                        out.write(buffer.array(), 0, buffer.position());
                    }
                }
            }
        }
        assertReopensWith(imageCopy, atImage, "a copy of the image begun before the replacement");
    }

    @Test
    void aReplacementOutsideTheFilesDirectoryIsRefused() throws Exception {
        Path file = dir.resolve("db");
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere")).resolve("incoming.snap");
        image(elsewhere, 8);
        try (Env env = Env.open(file, EnvOptions.defaults().withSyncOnCommit(false))) {
            new DefragmentTest.Model().randomTxn(env, new SplittableRandom(9), 100, false);
            Map<String, Map<String, String>> own = contents(env);
            assertThrows(IllegalArgumentException.class, () -> env.replaceWith(elsewhere, KEEP));
            assertSameContents(own, contents(env), "the file");
            assertTrue(Files.exists(elsewhere));
        }
    }

    /** The file, opened afresh through libc, holds {@code expected} and passes the structural check. */
    private static void assertReopensWith(Path file, Map<String, Map<String, String>> expected, String message)
            throws Exception {
        try (Env env = Env.open(file)) {
            assertSameContents(expected, contents(env), message);
            env.check();
        }
    }

    /**
     * Writes a backup image of a random tree to {@code to}; returns what the file holds once
     * {@link #KEEP} has written into it.
     */
    private Map<String, Map<String, String>> image(Path to, long seed) throws Exception {
        Path source = dir.resolve("source-" + seed);
        Map<String, Map<String, String>> expected;
        try (Env env = Env.open(source, EnvOptions.defaults().withSyncOnCommit(false))) {
            DefragmentTest.Model model = new DefragmentTest.Model();
            SplittableRandom random = new SplittableRandom(seed);
            for (int txn = 0; txn < 15; txn++) {
                model.randomTxn(env, random, 300, true);
            }
            expected = contents(env);
            try (OutputStream out = Files.newOutputStream(to)) {
                env.backup(out);
            }
        }
        expected = new TreeMap<>(expected);
        expected.put(KEPT, Map.of(hex(KEPT_KEY), hex(KEPT_VALUE)));
        return expected;
    }

    private static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }
}
