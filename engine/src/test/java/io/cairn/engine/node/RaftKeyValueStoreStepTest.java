package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cairn.engine.mvcc.KeyRange;
import io.cairn.engine.mvcc.KeyValue;
import io.cairn.engine.mvcc.OpResult;
import io.cairn.engine.mvcc.RangeQuery;
import io.cairn.engine.mvcc.TxnOp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lone writes (each wakes the idle Raft loop) and bursts (batched under one fsync), mixed from
 * several threads: every write must be answered once, with its own revision in one gap-free order,
 * and survive a reopen.
 */
class RaftKeyValueStoreStepTest {
    private static final long MEMBER_ID = 0x1234L;
    private static final int THREADS = 4;
    private static final int WRITES_PER_THREAD = 150;
    /** Written first by the test thread alone, each after a pause: each finds the Raft loop idle. */
    private static final int LONE_WRITES = 20;
    private static final long SEED = 20261125L;

    @TempDir
    Path dir;

    @Test
    void loneAndQueuedWritesAreAnsweredInOneOrderAndSurviveReopen() throws Exception {
        final Map<String, byte[]> written = new ConcurrentHashMap<>();
        final Map<Long, String> keyByRevision = new ConcurrentHashMap<>();
        try (RaftKeyValueStore store = open()) {
            write(store, THREADS, new Random(SEED - 1), LONE_WRITES, false, written, keyByRevision);
            final ExecutorService writers = Executors.newFixedThreadPool(THREADS);
            final List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final int thread = t;
                done.add(writers.submit(() -> {
                    write(store, thread, new Random(SEED + thread), WRITES_PER_THREAD, true, written, keyByRevision);
                    return null;
                }));
            }
            for (final Future<?> f : done) {
                f.get(2, TimeUnit.MINUTES);
            }
            writers.shutdown();
        }
        final int writes = LONE_WRITES + THREADS * WRITES_PER_THREAD;
        assertEquals(writes, keyByRevision.size(), "one revision per write");
        // A fresh member is at revision 1; each put makes the next one.
        assertEquals(2L, new TreeSet<>(keyByRevision.keySet()).first());
        assertEquals(writes + 1L, new TreeSet<>(keyByRevision.keySet()).last());
        try (RaftKeyValueStore reopened = open()) {
            for (final Map.Entry<Long, String> e : keyByRevision.entrySet()) {
                final byte[] key = e.getValue().getBytes(StandardCharsets.UTF_8);
                final List<KeyValue> kvs = reopened.range(RangeQuery.of(KeyRange.of(key, new byte[0]))).kvs();
                assertEquals(1, kvs.size(), e.getValue());
                assertEquals(e.getKey(), kvs.getFirst().modRevision(), e.getValue());
                assertArrayEquals(written.get(e.getValue()), kvs.getFirst().value(), e.getValue());
            }
        }
    }

    /**
     * {@code count} writes: lone ones after a pause longer than the 1 ms quiet gate and, with
     * {@code bursts}, some bursts sent at once.
     */
    private static void write(final RaftKeyValueStore store, final int thread, final Random random, final int count,
        final boolean bursts, final Map<String, byte[]> written, final Map<Long, String> keyByRevision)
        throws Exception {
        int i = 0;
        while (i < count) {
            final int burst = bursts && random.nextInt(3) == 0 ? 1 + random.nextInt(8) : 1;
            if (burst == 1) {
                TimeUnit.MICROSECONDS.sleep(1_500 + random.nextInt(1_000)); // pacing, not synchronisation
            }
            final List<CompletableFuture<OpResult.Put>> answers = new ArrayList<>();
            final List<String> keys = new ArrayList<>();
            for (int b = 0; b < burst && i < count; b++, i++) {
                final String key = "t" + thread + "/" + i;
                final byte[] value = ("v" + random.nextLong()).getBytes(StandardCharsets.UTF_8);
                written.put(key, value);
                keys.add(key);
                answers.add(store.put(new TxnOp.Put(key.getBytes(StandardCharsets.UTF_8), value, 0, false, false, false)));
            }
            for (int k = 0; k < answers.size(); k++) {
                final long revision = answers.get(k).get(30, TimeUnit.SECONDS).revision();
                final String previous = keyByRevision.putIfAbsent(revision, keys.get(k));
                assertEquals(null, previous, "revision " + revision + " answered twice");
            }
        }
    }

    private RaftKeyValueStore open() throws Exception {
        return RaftKeyValueStore.open(dir, dir.resolve("wal"), MemberOptions.defaults(MEMBER_ID));
    }
}
