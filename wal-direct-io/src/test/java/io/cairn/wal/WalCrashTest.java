package io.cairn.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * A child JVM appends from four threads and prints each index once its completion fired; it is
 * SIGKILLed at a random moment. After recovery every printed index must be there with its exact
 * payload, the log must be gap-free, and the next trial continues the same log. Replay with
 * -Dcairn.wal.seed.
 */
class WalCrashTest {
    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedEntrySurvivesSigkill() throws Exception {
        runTrials(20);
    }

    @Test
    @Tag("slow")
    void manyKills() throws Exception {
        runTrials(200);
    }

    private void runTrials(int trials) throws Exception {
        long seed = Long.getLong("cairn.wal.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        long previousLast = 0;
        for (int trial = 0; trial < trials; trial++) {
            String where = "seed " + seed + " trial " + trial;
            int killAfter = 1 + random.nextInt(300);
            long extraDelayNanos = random.nextLong(5_000_000);
            long highestDurable = 0;
            Process child = startChild();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
                String line = out.readLine();
                String said = line;
                assertTrue(said != null && said.startsWith("ready "), () -> where + ": child said " + said
                        + "; stderr: " + stderrOf(child));
                assertEquals(previousLast, Long.parseLong(line.substring(6)), where + ": child recovered a different log end");
                int seen = 0;
                while (seen < killAfter && (line = out.readLine()) != null) {
                    highestDurable = Math.max(highestDurable, Long.parseLong(line.substring(8)));
                    seen++;
                }
                LockSupport.parkNanos(extraDelayNanos); // a random moment, not a synchronisation
                child.toHandle().destroyForcibly(); // SIGKILL
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), where + ": child did not die");
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("durable ")) {
                        highestDurable = Math.max(highestDurable, Long.parseLong(line.substring(8)));
                    }
                }
            }
            assertTrue(highestDurable > previousLast, () -> where + ": child acknowledged nothing; stderr: " + stderrOf(child));
            try (Wal wal = Wal.open(dir, WalCrashChild.OPTIONS)) {
                List<Entry> entries = wal.recovered().entries();
                assertTrue(entries.size() >= highestDurable, where + ": acknowledged up to " + highestDurable
                        + " but recovered " + entries.size() + " entries");
                for (int i = 0; i < entries.size(); i++) {
                    Entry e = entries.get(i);
                    assertEquals(i + 1, e.index(), where + ": log has a gap");
                    assertArrayEquals(WalCrashChild.payloadOf(e.index()), e.payload(), where + ": payload of " + e.index());
                }
                long last = entries.size();
                long hardStateCommit = wal.recovered().hardState().commit();
                assertTrue(hardStateCommit <= last && last - hardStateCommit < 5 + 4, where + ": hard state " + hardStateCommit
                        + " vs last " + last);
                previousLast = last;
            }
        }
    }

    private static String stderrOf(Process child) {
        try {
            return new String(child.getErrorStream().readAllBytes());
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private Process startChild() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java,
                "--enable-native-access=ALL-UNNAMED", "-ea", "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), WalCrashChild.class.getName(), dir.toString(), "4"));
        return new ProcessBuilder(command).start();
    }
}
