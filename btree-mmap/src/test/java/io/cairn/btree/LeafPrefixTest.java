package io.cairn.btree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Leaves keep the prefix their keys share once (see {@link Node}); files of format version 1 stay readable. */
class LeafPrefixTest {
    private static final int KEYS = 20_000;
    private static final int VALUE_BYTES = 100;

    @TempDir
    Path dir;

    /**
     * The same number of keys of the same length, written in the same random order: keys that share
     * most of their bytes with their neighbours (paths, as etcd's keys are) take fewer leaves than
     * keys that share none, because each leaf holds the shared part once.
     */
    @Test
    void keysWithSharedPrefixesTakeFewerLeaves() throws IOException {
        long prefixed = leafPages("prefixed.db", i -> String.format("/registry/pods/default/web-%08d", i));
        long scattered = leafPages("scattered.db", i -> {
            String hashed = String.format("%08x", new SplittableRandom(i).nextInt());
            return hashed + "/registry/pods/default/web-".substring(8) + String.format("%08d", i);
        });
        System.out.println("LeafPrefixTest: " + KEYS + " keys of 35 bytes: " + prefixed + " leaves with a shared prefix, "
                + scattered + " without");
        assertTrue(prefixed * 100 < scattered * 90,
                "leaves with shared prefixes: " + prefixed + ", without: " + scattered + " (expected at least 10% fewer)");
    }

    /** A cursor on leaves with prefixes answers with whole keys: the key, its length, prefix tests and comparisons. */
    @Test
    void cursorAnswersWithWholeKeys() throws IOException {
        java.util.TreeSet<byte[]> keys = new java.util.TreeSet<>(java.util.Arrays::compareUnsigned);
        for (int i = 0; i < 3_000; i++) {
            keys.add(String.format("/registry/%s/%06d", i % 3 == 0 ? "pods" : "leases", i).getBytes(StandardCharsets.US_ASCII));
        }
        try (Env env = Env.open(dir.resolve("cursor.db"), EnvOptions.defaults().withMapSizeBytes(1L << 30))) {
            try (WriteTxn txn = env.beginWrite()) {
                Bucket bucket = txn.createBucketIfAbsent("kv");
                for (byte[] key : keys) {
                    bucket.put(key, new byte[40]);
                }
                txn.commit();
            }
            try (ReadTxn read = env.beginRead()) {
                Cursor cursor = read.bucket("kv").cursor();
                boolean ok = cursor.first();
                for (byte[] key : keys) {
                    String at = new String(key, StandardCharsets.US_ASCII);
                    assertTrue(ok, at);
                    assertArrayEquals(key, cursor.keyBytes(), at);
                    assertArrayEquals(key, cursor.key().toArray(ValueLayout.JAVA_BYTE), at);
                    assertEquals(key.length, cursor.keyLength(), at);
                    for (int length = 0; length <= key.length; length++) {
                        assertTrue(cursor.keyStartsWith(key, length), at + " starts with its first " + length + " bytes");
                    }
                    byte[] other = key.clone();
                    other[other.length - 1]++;
                    assertTrue(!cursor.keyStartsWith(other, other.length), at);
                    other[other.length - 1]--;
                    other[3]++;
                    assertTrue(!cursor.keyStartsWith(other, 4), at + ": a byte of the leaf's prefix differs");
                    assertEquals(0, cursor.compareKeyTo(java.lang.foreign.MemorySegment.ofArray(key)), at);
                    assertTrue(cursor.compareKeyTo(java.lang.foreign.MemorySegment.ofArray(other)) < 0, at);
                    assertTrue(cursor.compareKeyTo(java.lang.foreign.MemorySegment.ofArray(java.util.Arrays.copyOf(key, 4))) > 0,
                            at + " is above its own first bytes");
                    assertTrue(cursor.compareKeyTo(java.lang.foreign.MemorySegment.ofArray(java.util.Arrays.copyOf(key, key.length + 1))) < 0,
                            at + " is below itself and one more byte");
                    ok = cursor.next();
                }
                assertTrue(!ok);
            }
        }
    }

    private long leafPages(String name, IntFunction<String> keyOf) throws IOException {
        Path file = dir.resolve(name);
        int[] order = shuffled(KEYS, 42);
        byte[] value = new byte[VALUE_BYTES];
        try (Env env = Env.open(file, EnvOptions.defaults().withMapSizeBytes(1L << 30))) {
            for (int from = 0; from < KEYS; from += 1_000) {
                try (WriteTxn txn = env.beginWrite()) {
                    Bucket bucket = txn.createBucketIfAbsent("kv");
                    for (int i = from; i < from + 1_000; i++) {
                        bucket.put(keyOf.apply(order[i]).getBytes(StandardCharsets.US_ASCII), value);
                    }
                    txn.commit();
                }
            }
            try (ReadTxn read = env.beginRead()) {
                Cursor cursor = read.bucket("kv").cursor();
                int seen = 0;
                for (boolean ok = cursor.first(); ok; ok = cursor.next()) {
                    seen++;
                }
                assertEquals(KEYS, seen, name);
            }
            return env.check().leafPages();
        }
    }

    private static int[] shuffled(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** A file whose meta pages say version 1 (all files before leaf prefixes) opens, reads, and says 2 once written. */
    @Test
    void readsVersionOneAndRefusesNewerVersions() throws IOException {
        Path file = dir.resolve("versions.db");
        try (Env env = Env.open(file, EnvOptions.defaults().withMapSizeBytes(1L << 30))) {
            try (WriteTxn txn = env.beginWrite()) {
                Bucket bucket = txn.createBucketIfAbsent("kv");
                for (int i = 0; i < 2_000; i++) {
                    bucket.put(("/registry/a/" + i).getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) i});
                }
                txn.commit();
            }
            env.sync();
        }
        setMetaVersions(file, 1);
        try (Env env = Env.open(file, EnvOptions.defaults().withMapSizeBytes(1L << 30))) {
            env.check();
            try (ReadTxn read = env.beginRead()) {
                assertArrayEquals(new byte[] {(byte) 7},
                        read.bucket("kv").get("/registry/a/7".getBytes(StandardCharsets.US_ASCII)).toArray(ValueLayout.JAVA_BYTE));
            }
            try (WriteTxn txn = env.beginWrite()) {
                txn.bucket("kv").put("/registry/b".getBytes(StandardCharsets.US_ASCII), new byte[] {1});
                txn.commit();
            }
            env.sync();
        }
        assertEquals(Meta.FORMAT_VERSION, newestMetaVersion(file), "a commit writes this build's version");

        setMetaVersions(file, Meta.FORMAT_VERSION + 1);
        StorageFormatException refused = assertThrows(StorageFormatException.class,
                () -> Env.open(file, EnvOptions.defaults().withMapSizeBytes(1L << 30)).close());
        assertTrue(refused.getMessage().contains("format version 3, written by a newer release"), refused.getMessage());
    }

    private static final int META_VERSION_OFFSET = 32;
    private static final int META_TXID_OFFSET = 40;
    private static final int META_CHECKSUM_OFFSET = 72;

    /** Rewrites both meta pages' format version, with their checksums (Meta's layout). */
    private static void setMetaVersions(Path file, int version) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            for (int slot = 0; slot < 2; slot++) {
                ByteBuffer page = readMeta(channel, slot);
                page.putInt(META_VERSION_OFFSET, version);
                CRC32C crc = new CRC32C();
                crc.update(page.slice(0, META_CHECKSUM_OFFSET));
                page.putInt(META_CHECKSUM_OFFSET, (int) crc.getValue());
                channel.write(page.rewind(), (long) slot * Page.SIZE_BYTES);
            }
            channel.force(true);
        }
    }

    private static int newestMetaVersion(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer meta0 = readMeta(channel, 0);
            ByteBuffer meta1 = readMeta(channel, 1);
            ByteBuffer newest = meta0.getLong(META_TXID_OFFSET) > meta1.getLong(META_TXID_OFFSET) ? meta0 : meta1;
            return newest.getInt(META_VERSION_OFFSET);
        }
    }

    private static ByteBuffer readMeta(FileChannel channel, int slot) throws IOException {
        ByteBuffer page = ByteBuffer.allocate(Page.SIZE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(page, (long) slot * Page.SIZE_BYTES);
        return page.flip();
    }
}
