package io.cairn.btree;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A deterministic sequence of transactions: transaction n's writes depend only on n, so a test can
 * rebuild the exact expected state after transaction n in a TreeMap. Key "last" holds n.
 */
final class NumberedWorkload {
    static final String BUCKET = "data";
    static final byte[] LAST_KEY = "last".getBytes();

    private NumberedWorkload() {
    }

    interface Sink {
        void put(byte[] key, byte[] value);

        void delete(byte[] key);
    }

    static void apply(long n, Sink sink) {
        SplittableRandom random = new SplittableRandom(n * 0x9E3779B97F4A7C15L);
        int puts = 5 + random.nextInt(40);
        for (int i = 0; i < puts; i++) {
            byte[] key = key(random.nextInt(3000));
            int length = random.nextInt(50) == 0 ? 3000 + random.nextInt(20_000) : random.nextInt(200);
            byte[] value = new byte[length];
            random.nextBytes(value);
            sink.put(key, value);
        }
        int deletes = random.nextInt(15);
        for (int i = 0; i < deletes; i++) {
            sink.delete(key(random.nextInt(3000)));
        }
        byte[] last = new byte[8];
        MemorySegment.ofArray(last).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, n);
        sink.put(LAST_KEY, last);
    }

    static byte[] key(int id) {
        return ("key-" + id).getBytes();
    }

    static void apply(long n, Bucket bucket) {
        apply(n, new Sink() {
            @Override
            public void put(byte[] key, byte[] value) {
                bucket.put(key, value);
            }

            @Override
            public void delete(byte[] key) {
                bucket.delete(key);
            }
        });
    }

    static TreeMap<byte[], byte[]> expectedAfter(long last) {
        TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
        for (long n = 1; n <= last; n++) {
            apply(n, new Sink() {
                @Override
                public void put(byte[] key, byte[] value) {
                    model.put(key, value);
                }

                @Override
                public void delete(byte[] key) {
                    model.remove(key);
                }
            });
        }
        return model;
    }

    /** The n of the last transaction in this snapshot (0 if none). */
    static long last(Bucket bucket) {
        MemorySegment v = bucket == null ? null : bucket.get(LAST_KEY);
        return v == null ? 0 : v.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
    }

    /** Null if the bucket equals the model, else a description of the first difference. */
    static String difference(Bucket bucket, TreeMap<byte[], byte[]> model) {
        if (bucket.count() != model.size()) {
            return "count " + bucket.count() + ", expected " + model.size();
        }
        Cursor c = bucket.cursor();
        boolean ok = c.first();
        for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
            if (!ok) {
                return "cursor ended before " + new String(e.getKey());
            }
            byte[] key = c.key().toArray(ValueLayout.JAVA_BYTE);
            if (!Arrays.equals(key, e.getKey())) {
                return "key " + new String(key) + ", expected " + new String(e.getKey());
            }
            if (!Arrays.equals(c.value().toArray(ValueLayout.JAVA_BYTE), e.getValue())) {
                return "value of " + new String(key) + " differs";
            }
            ok = c.next();
        }
        return ok ? "extra key " + new String(c.key().toArray(ValueLayout.JAVA_BYTE)) : null;
    }
}
