package io.cairn.btree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers in other threads hold snapshots across many commits and must see exactly their
 * transaction's state, before and after the writer has freed (and reused) pages of that state.
 */
class SnapshotIsolationTest {
    private static final int ACCOUNTS = 300;
    private static final int COMMITS = 3000;
    private static final int READERS = 3;

    @TempDir
    Path dir;

    @Test
    void readersSeeExactlyTheirSnapshotWhileWriterCommits() throws Exception {
        long seed = Long.getLong("cairn.btree.seed", System.nanoTime());
        ConcurrentHashMap<Long, long[]> stateByTxid = new ConcurrentHashMap<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (Env env = Env.open(dir.resolve("iso.db"), EnvOptions.defaults().withSyncOnCommit(false).withMapSizeBytes(1L << 30))) {
            long[] balances = new long[ACCOUNTS];
            try (WriteTxn w = env.beginWrite()) {
                Bucket b = w.createBucketIfAbsent("accounts");
                for (int i = 0; i < ACCOUNTS; i++) {
                    balances[i] = 1000;
                    b.put(key(i), value(1000, i, 0));
                }
                stateByTxid.put(w.txid() + 1, balances.clone());
                w.commit();
            }
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                long readerSeed = seed + r;
                Thread t = Thread.ofPlatform().name("reader-" + r).start(() -> {
                    try {
                        readLoop(env, stateByTxid, new SplittableRandom(readerSeed));
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                readers.add(t);
            }
            SplittableRandom random = new SplittableRandom(seed);
            for (int c = 0; c < COMMITS && failure.get() == null; c++) {
                try (WriteTxn w = env.beginWrite()) {
                    Bucket b = w.bucket("accounts");
                    for (int k = 0; k < 5; k++) {
                        int from = random.nextInt(ACCOUNTS);
                        int to = random.nextInt(ACCOUNTS);
                        long amount = random.nextInt(50);
                        balances[from] -= amount;
                        balances[to] += amount;
                        // Value sizes vary (some overflow) so pages split, merge and get freed.
                        b.put(key(from), value(balances[from], from, random.nextInt(20) == 0 ? 6000 : random.nextInt(300)));
                        b.put(key(to), value(balances[to], to, random.nextInt(300)));
                    }
                    stateByTxid.put(w.txid() + 1, balances.clone());
                    w.commit();
                }
                if (c % 50 == 0) {
                    // With unsynced commits, sync first commits the freelist: one more txid, same data.
                    stateByTxid.put(env.lastTxid() + 1, balances.clone());
                    env.sync();
                }
            }
            done = true;
            for (Thread t : readers) {
                t.join();
            }
            if (failure.get() != null) {
                throw new AssertionError("seed " + seed + " (replay with -Dcairn.btree.seed=" + seed + ")", failure.get());
            }
            assertTrue(snapshotsVerified > READERS, "readers verified only " + snapshotsVerified + " snapshots");
            env.check();
        }
    }

    private volatile boolean done;
    private volatile int snapshotsVerified;

    private void readLoop(Env env, ConcurrentHashMap<Long, long[]> stateByTxid, SplittableRandom random) {
        while (!done) {
            try (ReadTxn r = env.beginRead()) {
                long[] expected = stateByTxid.get(r.txid());
                assertTrue(expected != null, "no recorded state for txid " + r.txid());
                verify(r, expected);
                // Hold the snapshot while the writer commits (and frees pages of it).
                long holdUntil = r.txid() + 1 + random.nextInt(40);
                while (!done && env.lastTxid() < holdUntil) {
                    Thread.onSpinWait();
                }
                verify(r, expected);
                snapshotsVerified++;
            }
        }
    }

    private static void verify(ReadTxn r, long[] expected) {
        Bucket b = r.bucket("accounts");
        assertEquals(ACCOUNTS, b.count(), "count at txid " + r.txid());
        Cursor c = b.cursor();
        int i = 0;
        for (boolean ok = c.first(); ok; ok = c.next(), i++) {
            MemorySegment v = c.value();
            assertEquals(i, v.get(ValueLayout.JAVA_INT_UNALIGNED, 8), "account order at txid " + r.txid());
            assertEquals(expected[i], v.get(ValueLayout.JAVA_LONG_UNALIGNED, 0), "balance of " + i + " at txid " + r.txid());
            for (long k = 12; k < v.byteSize(); k++) {
                assertEquals((byte) i, v.get(ValueLayout.JAVA_BYTE, k), "padding of " + i + " at txid " + r.txid());
            }
        }
        assertEquals(ACCOUNTS, i, "accounts walked at txid " + r.txid());
    }

    private static byte[] key(int account) {
        return String.format("acct-%05d", account).getBytes();
    }

    private static byte[] value(long balance, int account, int padding) {
        byte[] v = new byte[12 + padding];
        MemorySegment s = MemorySegment.ofArray(v);
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, balance);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 8, account);
        for (int k = 12; k < v.length; k++) {
            v[k] = (byte) account;
        }
        return v;
    }
}
