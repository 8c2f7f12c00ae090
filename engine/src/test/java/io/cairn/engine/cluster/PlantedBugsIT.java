package io.cairn.engine.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cairn.chaos.Seeds;
import io.cairn.chaos.cluster.ServerCommand;
import io.cairn.chaos.fault.FaultKind;
import io.cairn.chaos.run.ChaosOptions;
import io.cairn.chaos.run.ChaosRun;
import io.cairn.chaos.run.RunReport;
import io.cairn.engine.testfaults.PlantedBug;
import io.cairn.engine.testing.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The chaos harness catches each bug planted in Cairn on purpose (engine's testfaults, switched on
 * only through a member's environment): a short run with the faults that expose it must end with
 * the check that should see it failing. A harness that passes these members would pass a broken Cairn.
 */
class PlantedBugsIT {
    private static final Duration FAULTING = Duration.ofSeconds(30);
    private static final Path RUNS = Path.of("target", "chaos-runs");

    /** The faults that expose a bug, and the checks of which one must see it (how their lines begin). */
    private record Exposure(List<FaultKind> faults, List<String> checks) {
    }

    private static Exposure exposure(final PlantedBug bug) {
        return switch (bug) {
            // An isolated or paused follower answers from its stale tree.
            case FOLLOWER_READS_SKIP_READ_INDEX -> new Exposure(
                List.of(FaultKind.PARTITION_MINORITY, FaultKind.PARTITION_LEADER, FaultKind.PAUSE), List.of("linearizability"));
            // Entries every member acknowledged unsynced are reverted when they all lose power:
            // acknowledged writes are gone, or a WAL with a hole refuses to recover.
            case ACK_BEFORE_WAL_FDATASYNC -> new Exposure(
                List.of(FaultKind.POWER_CUT_ALL, FaultKind.POWER_CUT, FaultKind.KILL), List.of("durability", "recovery"));
            // Commits outrun the watch thread often enough on two cores under this workload.
            case WATCH_SKIPS_EVENT_UNDER_LOAD -> new Exposure(
                List.of(FaultKind.KILL, FaultKind.PARTITION_MINORITY), List.of("watch"));
        };
    }

    /** Whether the check's line in the report (e.g. "watch: checked ..., 3 violations") says it failed. */
    private static boolean failed(final RunReport report, final String check) {
        return report.violations().stream().flatMap(String::lines).map(String::strip)
            .anyMatch(line -> line.startsWith(check + ":") && !line.endsWith("ok"));
    }

    /** The bug that loses acknowledged writes, on every build (about 85 s). */
    @ParameterizedTest
    @EnumSource(value = PlantedBug.class, names = "ACK_BEFORE_WAL_FDATASYNC")
    void theChecksCatchIt(final PlantedBug bug) throws Exception {
        catchIt(bug);
    }

    /** The others with -Pslow (about 85 s each). */
    @Tag("slow")
    @ParameterizedTest
    @EnumSource(value = PlantedBug.class, names = "ACK_BEFORE_WAL_FDATASYNC", mode = EnumSource.Mode.EXCLUDE)
    void theChecksCatchItToo(final PlantedBug bug) throws Exception {
        catchIt(bug);
    }

    private static void catchIt(final PlantedBug bug) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root");
        final Exposure exposure = exposure(bug);
        final ServerCommand server = new ServerCommand("cairn", ServerProcess.cairnCommand(), Map.of(), true)
            .withPlantedBug(bug.flagName());
        Seeds.run("cairn.chaos.seed", 1, seed -> {
            final Path dir = RUNS.resolve("planted-" + bug.flagName() + "-" + seed);
            final RunReport report = new ChaosRun(new ChaosOptions(server, 3, FAULTING, seed, exposure.faults(), dir),
                System.out).run();
            System.out.println(report.toString().lines().limit(40).reduce("", (a, b) -> a + b + "\n"));
            assertFalse(report.passed(), bug + " went unnoticed: " + report);
            assertTrue(exposure.checks().stream().anyMatch(check -> failed(report, check)),
                "none of the checks " + exposure.checks() + " saw " + bug + ": " + report);
            ServerProcess.deleteRecursively(dir);
        });
    }
}
