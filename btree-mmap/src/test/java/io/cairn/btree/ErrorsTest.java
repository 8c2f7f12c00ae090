package io.cairn.btree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors a user can cause get a clear message naming the file; misuse fails loudly. */
class ErrorsTest {
    @TempDir
    Path dir;

    private Path fileWithOneCommit(String name) throws Exception {
        Path file = dir.resolve(name);
        try (Env env = Env.open(file); WriteTxn w = env.beginWrite()) {
            w.createBucketIfAbsent("b").put("k".getBytes(), "v1".getBytes());
            w.commit();
        }
        return file;
    }

    @Test
    void notOurFile() throws Exception {
        Path file = dir.resolve("random.bin");
        byte[] junk = new byte[5 * 4096];
        new Random(1).nextBytes(junk);
        Files.write(file, junk);
        StorageFormatException e = assertThrows(StorageFormatException.class, () -> Env.open(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("not a Cairn btree file"), e.getMessage());
    }

    @Test
    void shortFile() throws Exception {
        Path file = dir.resolve("short.bin");
        Files.write(file, new byte[100]);
        StorageFormatException e = assertThrows(StorageFormatException.class, () -> Env.open(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("shorter"), e.getMessage());
    }

    @Test
    void otherPageSize() throws Exception {
        Path file = fileWithOneCommit("pagesize.db");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            for (int slot = 0; slot < 2; slot++) {
                raf.seek(slot * 4096L + 36);
                raf.write(new byte[] {0, 0x20, 0, 0}); // 8192, little-endian
            }
        }
        StorageFormatException e = assertThrows(StorageFormatException.class, () -> Env.open(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("page size 8192"), e.getMessage());
    }

    @Test
    void bothMetasCorrupt() throws Exception {
        Path file = fileWithOneCommit("corrupt.db");
        flipByte(file, 40);
        flipByte(file, 4096 + 40);
        StorageFormatException e = assertThrows(StorageFormatException.class, () -> Env.open(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("both meta pages")
                && e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void oneCorruptMetaFallsBackToTheOther() throws Exception {
        Path file = fileWithOneCommit("onecorrupt.db");
        long newestSlot;
        try (Env env = Env.open(file); WriteTxn w = env.beginWrite()) {
            w.bucket("b").put("k".getBytes(), "v2".getBytes());
            w.commit();
            newestSlot = (env.lastTxid()) % 2; // fresh file: txid 1 in slot 1, then slots alternate
        }
        flipByte(file, newestSlot * 4096 + 48);
        try (Env env = Env.open(file); ReadTxn r = env.beginRead()) {
            assertArrayEquals("v1".getBytes(), r.bucket("b").get("k".getBytes()).toArray(ValueLayout.JAVA_BYTE));
            env.check();
        }
    }

    @Test
    void fullMapReportsNoSpaceAndKeepsTheFile() throws Exception {
        Path file = dir.resolve("full.db");
        EnvOptions small = EnvOptions.defaults().withMapSizeBytes(64 * 4096);
        long committedKeys = 0;
        try (Env env = Env.open(file, small)) {
            NoSpaceException full = null;
            for (int t = 0; t < 100 && full == null; t++) {
                WriteTxn w = env.beginWrite();
                try {
                    Bucket b = w.createBucketIfAbsent("b");
                    for (int i = 0; i < 50; i++) {
                        b.put(String.format("key-%06d", t * 50 + i).getBytes(), new byte[200]);
                    }
                    w.commit();
                    committedKeys += 50;
                } catch (NoSpaceException e) {
                    full = e;
                } finally {
                    w.abort();
                }
            }
            assertTrue(full != null, "map of 64 pages never filled");
            assertTrue(full.getMessage().startsWith("no space") && full.getMessage().contains(file.toString()), full.getMessage());
            env.check();
        }
        try (Env env = Env.open(file, small); ReadTxn r = env.beginRead()) {
            assertEquals(committedKeys, r.bucket("b").count());
            env.check();
        }
    }

    @Test
    void segmentsDieWithTheirTransaction() throws Exception {
        Path file = fileWithOneCommit("scope.db");
        try (Env env = Env.open(file)) {
            MemorySegment value;
            Bucket bucket;
            try (ReadTxn r = env.beginRead()) {
                bucket = r.bucket("b");
                value = bucket.get("k".getBytes());
                assertEquals('v', (char) value.get(ValueLayout.JAVA_BYTE, 0));
            }
            assertThrows(IllegalStateException.class, () -> value.get(ValueLayout.JAVA_BYTE, 0));
            assertThrows(IllegalStateException.class, () -> bucket.get("k".getBytes()));
            MemorySegment written;
            try (WriteTxn w = env.beginWrite()) {
                w.bucket("b").put("k".getBytes(), "v3".getBytes());
                written = w.bucket("b").get("k".getBytes());
                assertEquals('3', (char) written.get(ValueLayout.JAVA_BYTE, 1));
            }
            assertThrows(IllegalStateException.class, () -> written.get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    @Test
    void limitsAreEnforced() throws Exception {
        try (Env env = Env.open(dir.resolve("limits.db")); WriteTxn w = env.beginWrite()) {
            Bucket b = w.createBucketIfAbsent("b");
            assertThrows(IllegalArgumentException.class, () -> b.put(new byte[Keys.MAX_KEY_BYTES + 1], new byte[1]));
            assertThrows(IllegalArgumentException.class, () -> b.put(new byte[1], new byte[EnvOptions.DEFAULT_MAX_VALUE_BYTES + 1]));
            assertTrue(b.put(new byte[Keys.MAX_KEY_BYTES], new byte[EnvOptions.DEFAULT_MAX_VALUE_BYTES]));
            w.commit();
        }
    }

    @Test
    void readTransactionCannotWrite() throws Exception {
        Path file = fileWithOneCommit("ro.db");
        try (Env env = Env.open(file); ReadTxn r = env.beginRead()) {
            assertThrows(IllegalStateException.class, () -> r.bucket("b").put("x".getBytes(), "y".getBytes()));
        }
    }

    @Test
    void aCreationCutShortIsInitializedAgainButAForeignFileIsNot() throws Exception {
        byte[] image;
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            image = FreshFile.image(arena).toArray(ValueLayout.JAVA_BYTE);
        }
        // A torn first write: some sectors of the image made it, the others read back as zeros.
        byte[] torn = image.clone();
        for (int sector = 0; sector < torn.length / 512; sector += 3) {
            java.util.Arrays.fill(torn, sector * 512, (sector + 1) * 512, (byte) 0);
        }
        Path cut = dir.resolve("cut.db");
        Files.write(cut, java.util.Arrays.copyOf(torn, 12 * 512));
        try (Env env = Env.open(cut); WriteTxn w = env.beginWrite()) {
            w.createBucketIfAbsent("b").put("k".getBytes(), "v".getBytes());
            w.commit();
            env.check();
        }
        // The same size, one byte not from the image: not ours to overwrite.
        byte[] foreign = java.util.Arrays.copyOf(torn, 12 * 512);
        foreign[100] ^= 1;
        Path other = dir.resolve("other.db");
        Files.write(other, foreign);
        assertThrows(StorageFormatException.class, () -> Env.open(other));
        assertArrayEquals(foreign, Files.readAllBytes(other));
    }

    private static void flipByte(Path file, long offset) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0xFF);
        }
    }
}
