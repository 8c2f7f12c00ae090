package io.cairn.btree;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.cairn.posix.FaultyPosix;
import io.cairn.posix.NativePosix;
import io.cairn.posix.PowerCutTrials;
import io.cairn.posix.RevertReport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power cuts under the tree alone, through {@link FaultyPosix}: each trial runs one or two lives of a
 * seeded workload (write transactions of puts, deletes and bucket drops in a few buckets, aborts,
 * syncing commits or {@link Env#sync()} from the writer or from a sync thread as the engine has it),
 * cuts the power at a seeded call, reverts what was not synced, and reopens the file with libc.
 * The reopened tree must pass {@link Env#check()} and hold exactly the state after one committed
 * transaction, no older than the last one a sync or syncing commit acknowledged. Replay a failure
 * with {@code -Dcairn.powercut.seed}.
 */
class TreePowerCutTest {
    private static final int TXNS_PER_LIFE = 40;
    /**
     * The cut lands in one of the first this-many mutating calls of a life, sized to the calls a whole
     * life makes in its mode (measured: about 240 with syncing commits, 100 to 140 with a sync thread,
     * 45 when the writer syncs every few commits), so most lives are cut mid-way and some run whole.
     */
    private static final int CUT_CALLS_MAX_SYNCING_COMMITS = 270;
    private static final int CUT_CALLS_MAX_SYNC_THREAD = 160;
    private static final int CUT_CALLS_MAX_WRITER_SYNCS = 55;
    private static final String[] BUCKETS = {"a", "b", "c"};
    private static final int KEYS = 150;

    @TempDir
    Path dir;

    @Test
    void everySyncedTransactionSurvivesAPowerCut() {
        System.out.println(PowerCutTrials.runInDirectories("btree", 200, dir, (seed, root) -> new Trial(seed, root).run()));
    }

    @Test
    @Tag("slow")
    void tenThousandPowerCuts() {
        System.out.println(PowerCutTrials.runInDirectories("btree slow", 10_000, dir, (seed, root) -> new Trial(seed, root).run()));
    }

    private static final class Trial {
        private final SplittableRandom random;
        private final Path root;
        private final Path file;
        private final TreeStates states = new TreeStates();

        Trial(long seed, Path root) {
            this.random = new SplittableRandom(seed);
            this.root = root;
            this.file = root.resolve("db");
        }

        void run() throws Exception {
            int lives = 1 + random.nextInt(2);
            for (int life = 1; life <= lives; life++) {
                life(life);
            }
        }

        private void life(int life) throws Exception {
            FaultyPosix posix = new FaultyPosix(NativePosix.INSTANCE, root.resolve("stash-" + life));
            boolean syncOnCommit = random.nextInt(3) == 0;
            boolean syncThread = random.nextBoolean();
            long cutAt = 1 + random.nextInt(syncOnCommit ? CUT_CALLS_MAX_SYNCING_COMMITS
                    : syncThread ? CUT_CALLS_MAX_SYNC_THREAD : CUT_CALLS_MAX_WRITER_SYNCS);
            posix.cutPowerAfter(cutAt);
            EnvOptions options = EnvOptions.defaults().withMapSizeBytes(64L << 20).withSyncOnCommit(syncOnCommit);
            String where = "life " + life + " (syncOnCommit " + syncOnCommit + ", sync thread " + syncThread
                    + ", power cut at mutating call " + cutAt + ")";

            long start = states.last();
            AtomicLong committed = new AtomicLong(start);
            AtomicLong acknowledged = new AtomicLong(start);
            long attempted = start;
            AtomicReference<Throwable> syncerFailure = new AtomicReference<>();
            Env env = null;
            Thread syncer = null;
            try {
                env = Env.open(file, options, posix);
                if (syncThread) {
                    syncer = startSyncer(env, posix, committed, acknowledged, syncerFailure);
                }
                for (int t = 0; t < TXNS_PER_LIFE; t++) {
                    TreeStates.State next = states.state(committed.get()).copy();
                    try (WriteTxn w = env.beginWrite()) {
                        applyRandomChanges(w, next);
                        if (random.nextInt(10) == 0) {
                            continue; // aborted by close
                        }
                        long number = ++attempted;
                        next.buckets.computeIfAbsent(TreeStates.META, b -> new TreeMap<>())
                                .put(new String(TreeStates.NUMBER_KEY), TreeStates.numberBytes(number));
                        w.createBucketIfAbsent(TreeStates.META).put(TreeStates.NUMBER_KEY, TreeStates.numberBytes(number));
                        states.put(number, next); // before commit: a commit that throws may still have reached the disk
                        w.commit();
                    }
                    committed.set(attempted);
                    if (syncOnCommit) {
                        acknowledged.set(attempted);
                    } else if (!syncThread && random.nextInt(4) == 0) {
                        long before = committed.get();
                        env.sync();
                        acknowledged.set(before);
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (!posix.isPowerCut()) {
                    throw new AssertionError(where + ": failed before the power cut", e);
                }
            } finally {
                if (syncer != null) {
                    syncer.interrupt();
                    syncer.join(TimeUnit.SECONDS.toMillis(30));
                }
                posix.cutPower();
                if (env != null) {
                    env.close();
                }
            }
            if (syncerFailure.get() != null) {
                throw new AssertionError(where + ": the sync thread failed before the power cut", syncerFailure.get());
            }
            RevertReport report = posix.revertUnsynced(random.nextLong());
            verify(where, report, options, acknowledged.get(), attempted);
        }

        /** As the engine's tree syncer: sync over and over, acknowledging what was committed before each began. */
        private static Thread startSyncer(Env env, FaultyPosix posix, AtomicLong committed, AtomicLong acknowledged,
                                          AtomicReference<Throwable> failure) {
            return Thread.ofPlatform().name("tree-syncer").start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    long before = committed.get();
                    try {
                        env.sync();
                    } catch (IOException | RuntimeException e) {
                        if (!posix.isPowerCut()) {
                            failure.set(e);
                        }
                        return;
                    }
                    acknowledged.accumulateAndGet(before, Math::max);
                    LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(300_000));
                }
            });
        }

        private void applyRandomChanges(WriteTxn w, TreeStates.State next) {
            int changes = 1 + random.nextInt(12);
            for (int i = 0; i < changes; i++) {
                String name = BUCKETS[random.nextInt(BUCKETS.length)];
                int kind = random.nextInt(100);
                if (kind < 2) {
                    if (w.deleteBucket(name)) {
                        next.buckets.remove(name);
                    }
                    continue;
                }
                Bucket bucket = w.createBucketIfAbsent(name);
                TreeMap<String, byte[]> keys = next.buckets.computeIfAbsent(name, b -> new TreeMap<>());
                String key = "k" + random.nextInt(KEYS);
                if (kind < 75) {
                    byte[] value = new byte[random.nextInt(10) == 0 ? 2000 + random.nextInt(7000) : random.nextInt(200)];
                    random.nextBytes(value);
                    bucket.put(key.getBytes(), value);
                    keys.put(key, value);
                } else {
                    bucket.delete(key.getBytes());
                    keys.remove(key);
                }
            }
        }

        private void verify(String where, RevertReport report, EnvOptions options, long acknowledged, long attempted)
                throws IOException {
            long found;
            try (Env env = Env.open(file, options, NativePosix.INSTANCE)) {
                env.check();
                try (ReadTxn r = env.beginRead()) {
                    found = TreeStates.number(r);
                    if (found < acknowledged || found > attempted) {
                        throw new AssertionError(where + ": reopened at transaction " + found + ", but " + acknowledged
                                + " was acknowledged durable and " + attempted + " was the last attempted\n" + report);
                    }
                    String difference = states.state(found).difference(r);
                    if (difference != null) {
                        throw new AssertionError(where + ": reopened at transaction " + found + " but " + difference
                                + "\n" + report);
                    }
                }
            } catch (IOException | RuntimeException e) {
                throw new AssertionError(where + ": reopening after the power cut failed\n" + report, e);
            }
            states.settleAt(found);
        }
    }
}
