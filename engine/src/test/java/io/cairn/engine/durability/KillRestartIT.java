package io.cairn.engine.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Kills Cairn with SIGKILL in the middle of a concurrent workload (overwrites, deletes, CAS Txns,
 * leases with keys and revokes, refused writes, a compaction), restarts it on the same data
 * directory and checks it with {@link RecoveryCheck}: every acknowledged operation at its revision,
 * no revision missing or doubled, nothing refused anywhere, each writer's keys and leases exact.
 * Small WAL segments and --snapshot-count make the WAL release segments between kills.
 *
 * <p>SIGKILL keeps the page cache, so this shows that the member recovers whatever it wrote; only
 * the power-cut trials show that what it acknowledged was on disk.
 */
class KillRestartIT {
    private static final int WRITERS = 4;
    private static final int ACKS_PER_TRIAL_MAX = 300;
    private static final String[] FLAGS = {"--snapshot-count", "20", "--max-request-bytes", "16384",
        "--cairn-test-wal-segment-bytes", Integer.toString(128 << 10)};

    @Test
    void acknowledgedWritesSurviveKill() throws Exception {
        trials(20);
    }

    @Test
    @Tag("slow")
    void acknowledgedWritesSurviveManyKills() throws Exception {
        trials(200);
    }

    private static void trials(final int count) throws Exception {
        final long seed = Long.getLong("cairn.seed", System.nanoTime());
        System.out.println("KillRestartIT seed " + seed + " (replay: -Dcairn.seed=" + seed + ")");
        final Random random = new Random(seed);
        final DurabilityWorkload workload = new DurabilityWorkload(WRITERS, random.nextLong());
        final Path dataDir = Files.createTempDirectory("cairn-kill");
        try {
            for (int trial = 0; trial < count; trial++) {
                final String when = "trial " + trial + " (seed " + seed + ")";
                final ServerProcess server = ServerProcess.start(ServerProcess.Kind.CAIRN, ServerProcess.freePort(),
                    ServerProcess.freePort(), dataDir, FLAGS);
                try {
                    assertEquals(List.of(), RecoveryCheck.check(server.channel(), workload), when);
                    final DurabilityWorkload.Running running =
                        workload.start(server.channel(), 1 + random.nextInt(ACKS_PER_TRIAL_MAX));
                    assertTrue(running.awaitAcknowledgements(), when + ": the writers stalled: "
                        + workload.writers.stream().map(w -> w.errors).toList());
                    server.kill();
                    running.awaitStopped();
                    assertEquals(List.of(), workload.failures, when);
                } finally {
                    server.close();
                }
            }
            final ServerProcess last = ServerProcess.start(ServerProcess.Kind.CAIRN, ServerProcess.freePort(),
                ServerProcess.freePort(), dataDir, FLAGS);
            try {
                assertEquals(List.of(), RecoveryCheck.check(last.channel(), workload), "after the last kill (seed " + seed + ")");
            } finally {
                last.close();
            }
            final long acknowledged = workload.writers.stream().mapToLong(w -> w.acked.size()).sum();
            System.out.println("KillRestartIT: " + count + " kills, " + acknowledged + " acknowledged operations, "
                + "WAL segments left " + walSegments(dataDir));
            assertTrue(walSegments(dataDir).stream().noneMatch(name -> name.startsWith("0000000000000000-")),
                "the first WAL segment was never released: " + walSegments(dataDir));
        } finally {
            ServerProcess.deleteRecursively(dataDir);
        }
    }

    private static List<String> walSegments(final Path dataDir) throws java.io.IOException {
        try (Stream<Path> files = Files.list(dataDir.resolve("member").resolve("wal"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".wal")).sorted().toList();
        }
    }
}
