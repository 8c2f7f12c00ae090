package io.cairn.btree;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM commits numbered transactions and is SIGKILLed at a random moment; the reopened file
 * must pass {@link Env#check()} and equal exactly the last reported transaction or the one after it
 * (it may have committed without getting to print). With syncs on a thread of their own while
 * commits go on, it must equal some transaction at or after the last one reported synced. Each
 * trial continues the same file, so later trials also exercise recovery of recovered files.
 * Replay a trial with -Dcairn.btree.seed.
 */
class CrashConsistencyTest {
    private static final int SYNC_EVERY = 7;

    @TempDir
    Path dir;

    @Test
    void syncedCommitsSurviveSigkill() throws Exception {
        runTrials(20, true);
    }

    @Test
    void unsyncedCommitsRollBackToLastSync() throws Exception {
        runTrials(6, false);
    }

    @Test
    void syncsConcurrentWithCommitsSurviveSigkill() throws Exception {
        runTrials(10, "thread");
    }

    @Test
    @Tag("slow")
    void manyKills() throws Exception {
        runTrials(150, true);
        runTrials(50, false);
        runTrials(100, "thread");
    }

    private void runTrials(int trials, boolean syncOnCommit) throws Exception {
        runTrials(trials, Boolean.toString(syncOnCommit));
    }

    /** {@code mode}: "true" (commits sync), "false" (a sync every SYNC_EVERY commits), "thread" (CrashChild). */
    private void runTrials(int trials, String mode) throws Exception {
        boolean syncOnCommit = mode.equals("true");
        boolean syncThread = mode.equals("thread");
        long seed = Long.getLong("cairn.btree.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        Path file = dir.resolve("crash-" + mode + ".db");
        for (int trial = 0; trial < trials; trial++) {
            String where = "seed " + seed + " trial " + trial + " (mode " + mode + ")";
            long reported = -1;
            int killAfter = 1 + random.nextInt(syncOnCommit ? 40 : 6);
            long extraDelayNanos = random.nextLong(3_000_000);
            Process child = startChild(file, mode);
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
                String line = out.readLine();
                assertTrue(line != null && line.startsWith("ready "), where + ": child said " + line);
                int seen = 0;
                while (seen < killAfter && (line = out.readLine()) != null) {
                    reported = Long.parseLong(line.substring(line.indexOf(' ') + 1));
                    seen++;
                }
                LockSupport.parkNanos(extraDelayNanos); // a random moment, not a synchronisation
                child.toHandle().destroyForcibly(); // SIGKILL; Process.destroyForcibly would also close our pipe ends
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), where + ": child did not die");
                while ((line = out.readLine()) != null) {
                    reported = Long.parseLong(line.substring(line.indexOf(' ') + 1));
                }
            }
            assertTrue(reported > 0, where + ": child reported nothing; stderr: " + new String(child.getErrorStream().readAllBytes()));
            try (Env env = Env.open(file, EnvOptions.defaults().withMapSizeBytes(1L << 30))) {
                try {
                    env.check();
                } catch (CorruptionException e) {
                    throw new AssertionError(where + ": reopened file fails check (replay with -Dcairn.btree.seed=" + seed + ")", e);
                }
                try (ReadTxn r = env.beginRead()) {
                    Bucket b = r.bucket(NumberedWorkload.BUCKET);
                    long last = NumberedWorkload.last(b);
                    long next = syncOnCommit ? reported + 1 : reported + SYNC_EVERY;
                    assertTrue(last == reported || last == next || syncThread && last > reported,
                            where + ": reopened at transaction " + last + ", child reported " + reported);
                    assertNull(NumberedWorkload.difference(b, NumberedWorkload.expectedAfter(last)),
                            where + ": tree differs from transaction " + last);
                }
            }
        }
    }

    private static Process startChild(Path file, String mode) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java,
                "--enable-native-access=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-ea", "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(),
                file.toString(), mode, Integer.toString(SYNC_EVERY)));
        return new ProcessBuilder(command).start();
    }
}
