package io.cairn.wal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import io.cairn.posix.FaultyPosix;
import io.cairn.posix.NativePosix;
import io.cairn.posix.PowerCutTrials;
import io.cairn.posix.RevertReport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power cuts under the WAL alone, through {@link FaultyPosix}. Each trial runs one to three lives on
 * small segments (rotation and release every few writes): two threads append and wait on their
 * futures while a third, as the engine's Raft loop, calls {@code appendAndSync}, saves snapshot
 * markers and releases old segments; the power goes out at a seeded call, what was not synced is
 * reverted, and the next life opens the log through a new fault layer (so recovery's own repairs
 * can be cut too). Each opened log must be the replay of a prefix of the records queued before,
 * holding every acknowledged one ({@link WalHistory}); the trial ends with an open through libc.
 * Modes vary per life: O_DIRECT or buffered, fdatasync or O_DSYNC. Replay a failure with
 * {@code -Dcairn.powercut.seed}.
 */
class WalPowerCutTest {
    private static final WalOptions SMALL = WalOptions.defaults().withMaxWriteBytes(16 << 10).withSegmentBytes(48 << 10);
    private static final int APPENDS_PER_LIFE = 60;
    /** The cut lands in one of the first this-many mutating calls of a life (measured: a whole life makes 100 to 190). */
    private static final int CUT_CALLS_MAX = 200;
    private static final long WAIT_SECONDS = 60;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedAppendSurvivesAPowerCut() {
        System.out.println(PowerCutTrials.runInDirectories("wal", 200, dir, (seed, root) -> new Trial(seed, root).run()));
    }

    @Test
    @Tag("slow")
    void tenThousandPowerCuts() {
        System.out.println(PowerCutTrials.runInDirectories("wal slow", 10_000, dir, (seed, root) -> new Trial(seed, root).run()));
    }

    private static final class Trial {
        private final SplittableRandom random;
        private final Path root;
        private final Path walDir;
        private final WalHistory history = new WalHistory();
        private RevertReport lastReport;
        private String lastLife = "no life yet";

        Trial(long seed, Path root) {
            this.random = new SplittableRandom(seed);
            this.root = root;
            this.walDir = root.resolve("member").resolve("wal");
        }

        void run() throws Exception {
            int lives = 1 + random.nextInt(3);
            for (int life = 1; life <= lives; life++) {
                life(life);
            }
            try (Wal wal = Wal.open(walDir, SMALL, NativePosix.INSTANCE)) {
                check("the final open through libc", wal.recovered());
            } catch (IOException | RuntimeException e) {
                throw new AssertionError(lastLife + ": the final open through libc failed\n" + lastReport, e);
            }
        }

        private void check(String when, Recovered recovered) {
            String mismatch = history.mismatch(recovered);
            if (mismatch != null) {
                throw new AssertionError(lastLife + ", then " + when + ": " + mismatch + "\n" + lastReport);
            }
        }

        private void life(int life) throws Exception {
            FaultyPosix posix = new FaultyPosix(NativePosix.INSTANCE, root.resolve("stash-" + life));
            long cutAt = 1 + random.nextInt(CUT_CALLS_MAX);
            posix.cutPowerAfter(cutAt);
            WalOptions options = SMALL.withDirectIo(random.nextBoolean())
                    .withSyncMode(random.nextInt(3) == 0 ? SyncMode.O_DSYNC : SyncMode.FDATASYNC);
            String where = "life " + life + " (directIo " + options.directIo() + ", " + options.syncMode()
                    + ", power cut at mutating call " + cutAt + ")";
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            List<Thread> appenders = new ArrayList<>();
            Wal wal = null;
            try {
                wal = Wal.open(walDir, options, posix);
                check("the open of " + where, wal.recovered());
                history.rebase(wal.recovered(), APPENDS_PER_LIFE);
                for (int t = 0; t < 2; t++) {
                    SplittableRandom own = random.split();
                    Wal log = wal;
                    appenders.add(Thread.ofPlatform().name("appender-" + t).start(() -> appendLoop(log, posix, own, unexpected)));
                }
                raftLoop(wal, posix, unexpected);
            } catch (IOException | IllegalStateException e) {
                if (!posix.isPowerCut()) {
                    throw new AssertionError(where + ": failed before the power cut, after " + lastLife + "\n" + lastReport, e);
                }
            } finally {
                for (Thread t : appenders) {
                    t.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                }
                posix.cutPower();
                if (wal != null) {
                    try {
                        wal.close();
                    } catch (IOException expected) {
                        // The log failed when the power went: close says so, as it should.
                    }
                }
            }
            for (Thread t : appenders) {
                if (t.isAlive()) {
                    throw new AssertionError(where + ": " + t.getName() + " hung");
                }
            }
            if (unexpected.get() != null) {
                throw new AssertionError(where + ": an appender failed before the power cut", unexpected.get());
            }
            lastReport = posix.revertUnsynced(random.nextLong());
            lastLife = where;
        }

        /** Appends and waits for each future, as many client threads of a member would. */
        private void appendLoop(Wal wal, FaultyPosix posix, SplittableRandom own, AtomicReference<Throwable> unexpected) {
            try {
                while (true) {
                    CompletableFuture<Void> durable;
                    int end;
                    synchronized (history) {
                        if (!history.takeAppend()) {
                            return;
                        }
                        List<Entry> entries = history.nextEntries(own);
                        HardState state = history.nextHardState(own);
                        durable = wal.append(entries, state);
                        end = history.appended(entries, state);
                    }
                    durable.get(WAIT_SECONDS, TimeUnit.SECONDS);
                    history.acknowledge(end);
                }
            } catch (ExecutionException | IllegalStateException e) {
                if (!posix.isPowerCut()) {
                    unexpected.set(e);
                }
            } catch (InterruptedException | TimeoutException | RuntimeException e) {
                unexpected.set(e);
            }
        }

        /** As the engine's Raft loop: appendAndSync on this thread, snapshot markers and releases now and then. */
        private void raftLoop(Wal wal, FaultyPosix posix, AtomicReference<Throwable> unexpected) throws Exception {
            try {
                while (true) {
                    SnapshotMarker marker = null;
                    CompletableFuture<Void> snapshotDurable = null;
                    int end;
                    synchronized (history) {
                        if (!history.takeAppend()) {
                            return;
                        }
                        if (random.nextInt(6) == 0) {
                            marker = history.nextSnapshot(random);
                        }
                        if (marker != null) {
                            snapshotDurable = wal.saveSnapshot(marker);
                            end = history.snapshotted(marker);
                        } else {
                            List<Entry> entries = history.nextEntries(random);
                            HardState state = history.nextHardState(random);
                            end = history.appended(entries, state);
                            wal.appendAndSync(entries, state); // holds the history's lock: nothing else is queued meanwhile
                        }
                    }
                    if (snapshotDurable != null) {
                        snapshotDurable.get(WAIT_SECONDS, TimeUnit.SECONDS);
                        history.acknowledge(end);
                        wal.releaseBefore(marker.index());
                    } else {
                        history.acknowledge(end);
                    }
                }
            } catch (ExecutionException | IllegalStateException e) {
                if (!posix.isPowerCut()) {
                    unexpected.set(e);
                }
            }
        }
    }
}
