package io.cairn.btree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random puts, deletes, gets, cursor walks, commits, aborts and reopens, checked against a TreeMap
 * per bucket. A failure names its seed and command; replay with
 * {@code -Dcairn.btree.seed=<seed>} (runs only that seed).
 */
class ModelTest {
    private static final String[] BUCKETS = {"alpha", "beta"};

    @TempDir
    Path dir;

    @Test
    void randomOperationsMatchTreeMap() throws Exception {
        String replay = System.getProperty("cairn.btree.seed");
        if (replay != null) {
            runSeed(Long.parseLong(replay), 20_000);
            return;
        }
        runSeeds(24, 3_000);
    }

    @Test
    @Tag("slow")
    void manySeedsAndLongerRuns() throws Exception {
        runSeeds(200, 10_000);
    }

    private void runSeeds(int seeds, int operations) throws Exception {
        long base = System.nanoTime();
        for (int i = 0; i < seeds; i++) {
            runSeed(base + i * 0x9E3779B97F4A7C15L, operations);
        }
    }

    private static TreeMap<byte[], byte[]> newModel() {
        return new TreeMap<>(Arrays::compareUnsigned);
    }

    private void runSeed(long seed, int operations) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        Path file = dir.resolve("model-" + Long.toHexString(seed) + ".db");
        // Small key spaces make deletes and overwrites hit; some seeds use long keys to force deep trees.
        int keySpace = 50 + random.nextInt(2000);
        boolean longKeys = random.nextInt(4) == 0;
        // Half the seeds use keys with long shared prefixes, so leaves keep prefixes (see Node).
        boolean prefixedKeys = random.nextBoolean();
        @SuppressWarnings({"unchecked", "rawtypes"})
        TreeMap<byte[], byte[]>[] committed = new TreeMap[] {newModel(), newModel()};
        @SuppressWarnings({"unchecked", "rawtypes"})
        TreeMap<byte[], byte[]>[] working = new TreeMap[] {newModel(), newModel()};
        String command = "open";
        int op = 0;
        Env env = Env.open(file, EnvOptions.defaults().withSyncOnCommit(random.nextBoolean()).withMapSizeBytes(1L << 30));
        WriteTxn txn = env.beginWrite();
        try {
            for (String b : BUCKETS) {
                txn.createBucketIfAbsent(b);
            }
            txn.commit();
            txn = env.beginWrite();
            for (op = 0; op < operations; op++) {
                int b = random.nextInt(BUCKETS.length);
                Bucket bucket = txn.bucket(BUCKETS[b]);
                TreeMap<byte[], byte[]> model = working[b];
                int dice = random.nextInt(100);
                if (dice < 45) {
                    byte[] key = key(random, keySpace, longKeys, prefixedKeys);
                    byte[] value = value(random);
                    command = "put " + BUCKETS[b] + " " + hex(key) + " (" + value.length + " bytes)";
                    boolean wasNew = bucket.put(key, value);
                    assertEquals(!model.containsKey(key), wasNew, command);
                    model.put(key, value);
                } else if (dice < 65) {
                    byte[] key = key(random, keySpace, longKeys, prefixedKeys);
                    command = "delete " + BUCKETS[b] + " " + hex(key);
                    assertEquals(model.remove(key) != null, bucket.delete(key), command);
                } else if (dice < 80) {
                    byte[] key = key(random, keySpace, longKeys, prefixedKeys);
                    command = "get " + BUCKETS[b] + " " + hex(key);
                    assertValue(model.get(key), bucket.get(key), command);
                } else if (dice < 90) {
                    byte[] key = key(random, keySpace, longKeys, prefixedKeys);
                    int steps = random.nextInt(60);
                    boolean forward = random.nextBoolean();
                    command = "cursor " + BUCKETS[b] + " seek " + hex(key) + (forward ? " next" : " prev") + " x" + steps;
                    walk(bucket, model, key, steps, forward, command);
                } else if (dice < 95) {
                    command = "count " + BUCKETS[b];
                    assertEquals(model.size(), bucket.count(), command);
                } else if (dice < 98) {
                    command = "commit";
                    txn.commit();
                    for (int i = 0; i < BUCKETS.length; i++) {
                        committed[i] = copy(working[i]);
                    }
                    env.check();
                    if (random.nextInt(5) == 0) {
                        command = "commit, reopen";
                        env.sync();
                        env.close();
                        env = Env.open(file, EnvOptions.defaults().withSyncOnCommit(random.nextBoolean()).withMapSizeBytes(1L << 30));
                        env.check();
                        verifyAll(env, committed, command);
                    }
                    txn = env.beginWrite();
                } else {
                    command = "abort";
                    txn.abort();
                    for (int i = 0; i < BUCKETS.length; i++) {
                        working[i] = copy(committed[i]);
                    }
                    verifyAll(env, committed, command);
                    env.check();
                    txn = env.beginWrite();
                }
            }
            command = "final commit";
            txn.commit();
            env.check();
            verifyAll(env, working, command);
        } catch (Throwable t) {
            throw new AssertionError("seed " + seed + " failed at operation " + op + " (" + command
                    + "); replay with -Dcairn.btree.seed=" + seed + ": " + t, t);
        } finally {
            txn.abort();
            env.close();
        }
    }

    private static void walk(Bucket bucket, TreeMap<byte[], byte[]> model, byte[] key, int steps, boolean forward,
                             String command) {
        Cursor c = bucket.cursor();
        boolean ok = c.seek(key);
        Map.Entry<byte[], byte[]> expected = model.ceilingEntry(key);
        for (int s = 0; ; s++) {
            assertEquals(expected != null, ok, command + " step " + s);
            if (!ok) {
                return;
            }
            assertArrayEquals(expected.getKey(), c.key().toArray(ValueLayout.JAVA_BYTE), command + " step " + s);
            assertValue(expected.getValue(), c.value(), command + " step " + s);
            if (s == steps) {
                return;
            }
            ok = forward ? c.next() : c.prev();
            expected = forward ? model.higherEntry(expected.getKey()) : model.lowerEntry(expected.getKey());
        }
    }

    private static void verifyAll(Env env, TreeMap<byte[], byte[]>[] expected, String command) {
        try (ReadTxn r = env.beginRead()) {
            for (int b = 0; b < BUCKETS.length; b++) {
                Bucket bucket = r.bucket(BUCKETS[b]);
                assertEquals(expected[b].size(), bucket.count(), command + ": count of " + BUCKETS[b]);
                Cursor c = bucket.cursor();
                boolean ok = c.first();
                for (Map.Entry<byte[], byte[]> e : expected[b].entrySet()) {
                    assertEquals(true, ok, command + ": cursor ended early in " + BUCKETS[b]);
                    assertArrayEquals(e.getKey(), c.key().toArray(ValueLayout.JAVA_BYTE), command);
                    assertValue(e.getValue(), c.value(), command);
                    ok = c.next();
                }
                assertEquals(false, ok, command + ": cursor has extra keys in " + BUCKETS[b]);
                Cursor back = bucket.cursor();
                ok = back.last();
                for (byte[] k : expected[b].descendingKeySet()) {
                    assertEquals(true, ok, command + ": reverse cursor ended early");
                    assertArrayEquals(k, back.key().toArray(ValueLayout.JAVA_BYTE), command + ": reverse walk");
                    ok = back.prev();
                }
                assertEquals(false, ok, command + ": reverse cursor has extra keys");
            }
        }
    }

    private static TreeMap<byte[], byte[]> copy(TreeMap<byte[], byte[]> m) {
        TreeMap<byte[], byte[]> c = newModel();
        c.putAll(m);
        return c;
    }

    private static void assertValue(byte[] expected, MemorySegment actual, String command) {
        if (expected == null) {
            assertNull(actual, command);
            return;
        }
        assertEquals(expected.length, actual.byteSize(), command + ": value length");
        assertEquals(-1, MemorySegment.mismatch(MemorySegment.ofArray(expected), 0, expected.length, actual, 0, expected.length),
                command + ": value bytes");
    }

    /** Stems of the prefixed keys: nested, one a prefix of the next, two longer than a leaf's longest prefix. */
    private static final String[] STEMS = {"", "/registry/", "/registry/pods/", "/registry/pods/default/",
        "/registry/pods/default/web-", "/registry/pods/kube-system/", "L".repeat(300), "L".repeat(300) + "/deeper/"};

    static byte[] key(SplittableRandom random, int keySpace, boolean longKeys, boolean prefixedKeys) {
        if (!prefixedKeys) {
            return key(random, keySpace, longKeys);
        }
        int id = random.nextInt(keySpace);
        SplittableRandom shape = new SplittableRandom(id * 31L + 3);
        String stem = STEMS[shape.nextInt(STEMS.length)];
        int dice = shape.nextInt(100);
        String body;
        if (dice < 5) {
            body = ""; // the stem alone: a key that every longer key under it starts with
        } else if (dice < 60) {
            body = String.format("%012d", id); // zero-padded, as the benchmark's keys
        } else {
            body = Integer.toString(id) + "/" + "v".repeat(shape.nextInt(40));
        }
        byte[] key = (stem + body).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (longKeys && shape.nextInt(10) == 0) {
            byte[] longer = java.util.Arrays.copyOf(key, Keys.MAX_KEY_BYTES);
            java.util.Arrays.fill(longer, key.length, longer.length, (byte) (id & 0x7f));
            return longer;
        }
        return key;
    }

    /** Keys from a bounded space; lengths span 0 and the 1024-byte limit. */
    static byte[] key(SplittableRandom random, int keySpace, boolean longKeys) {
        int id = random.nextInt(keySpace);
        SplittableRandom shape = new SplittableRandom(id * 31L + (longKeys ? 7 : 0));
        int length;
        int dice = shape.nextInt(100);
        if (dice == 0) {
            length = Keys.MAX_KEY_BYTES;
        } else if (dice == 1) {
            length = 0;
        } else if (longKeys && dice < 40) {
            length = 200 + shape.nextInt(Keys.MAX_KEY_BYTES - 200);
        } else {
            length = 4 + shape.nextInt(24);
        }
        byte[] key = new byte[length];
        for (int i = 0; i < length; i++) {
            key[i] = (byte) shape.nextInt(256);
        }
        if (length >= 4) {
            key[0] = (byte) (id >>> 24);
            key[1] = (byte) (id >>> 16);
            key[2] = (byte) (id >>> 8);
            key[3] = (byte) id;
        }
        return key;
    }

    /** Values: mostly small, some around the inline limit, some in overflow runs. */
    static byte[] value(SplittableRandom random) {
        int dice = random.nextInt(100);
        int length;
        if (dice < 70) {
            length = random.nextInt(120);
        } else if (dice < 90) {
            length = Node.MAX_INLINE_ENTRY_BYTES - 1100 + random.nextInt(2200);
        } else if (dice < 99) {
            length = 4000 + random.nextInt(40_000);
        } else {
            length = EnvOptions.DEFAULT_MAX_VALUE_BYTES - random.nextInt(10);
        }
        byte[] value = new byte[length];
        random.nextBytes(value);
        return value;
    }

    private static String hex(byte[] key) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(key.length, 12); i++) {
            sb.append(String.format("%02x", key[i]));
        }
        return sb.append(key.length > 12 ? "..(" + key.length + ")" : "").toString();
    }
}
