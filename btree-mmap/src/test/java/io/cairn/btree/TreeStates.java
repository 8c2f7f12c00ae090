package io.cairn.btree;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What the tree held after each committed transaction of a power-cut trial, by transaction number
 * (the number the trial also stores under {@link #META}/{@link #NUMBER_KEY}), so a reopened tree can
 * be compared with the one state it claims to be.
 */
final class TreeStates {
    static final String META = "meta";
    static final byte[] NUMBER_KEY = "n".getBytes(StandardCharsets.UTF_8);

    /** One state: bucket name to key to value. Values are never changed once put. */
    static final class State {
        final TreeMap<String, TreeMap<String, byte[]>> buckets = new TreeMap<>();

        State copy() {
            State copy = new State();
            for (Map.Entry<String, TreeMap<String, byte[]>> e : buckets.entrySet()) {
                copy.buckets.put(e.getKey(), new TreeMap<>(e.getValue()));
            }
            return copy;
        }

        /** Null if {@code txn} holds exactly this state, else the first difference. */
        String difference(Txn txn) {
            List<String> names = txn.bucketNames();
            if (!names.equals(List.copyOf(buckets.keySet()))) {
                return "buckets " + names + ", expected " + buckets.keySet();
            }
            for (Map.Entry<String, TreeMap<String, byte[]>> e : buckets.entrySet()) {
                Bucket bucket = txn.bucket(e.getKey());
                if (bucket.count() != e.getValue().size()) {
                    return "bucket " + e.getKey() + " counts " + bucket.count() + " keys, expected " + e.getValue().size();
                }
                Cursor c = bucket.cursor();
                boolean more = c.first();
                for (Map.Entry<String, byte[]> kv : e.getValue().entrySet()) {
                    if (!more) {
                        return "bucket " + e.getKey() + " ends before key " + kv.getKey();
                    }
                    String key = new String(c.key().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
                    if (!key.equals(kv.getKey())) {
                        return "bucket " + e.getKey() + " has key " + key + " where " + kv.getKey() + " was expected";
                    }
                    if (!Arrays.equals(c.value().toArray(ValueLayout.JAVA_BYTE), kv.getValue())) {
                        return "bucket " + e.getKey() + " key " + key + ": value differs";
                    }
                    more = c.next();
                }
                if (more) {
                    return "bucket " + e.getKey() + " has an extra key after the expected ones";
                }
            }
            return null;
        }
    }

    private final NavigableMap<Long, State> states = new TreeMap<>();

    TreeStates() {
        states.put(0L, new State());
    }

    State state(long number) {
        return states.get(number);
    }

    void put(long number, State state) {
        states.put(number, state);
    }

    long last() {
        return states.lastKey();
    }

    /** The tree was found at {@code number}: later states never happened, earlier ones cannot come back. */
    void settleAt(long number) {
        states.tailMap(number, false).clear();
        states.headMap(number, false).clear();
    }

    /** The transaction number stored in a snapshot of the tree (0 for a fresh file). */
    static long number(Txn txn) {
        Bucket meta = txn.bucket(META);
        MemorySegment value = meta == null ? null : meta.get(NUMBER_KEY);
        return value == null ? 0 : value.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
    }

    static byte[] numberBytes(long number) {
        byte[] bytes = new byte[8];
        MemorySegment.ofArray(bytes).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, number);
        return bytes;
    }
}
