package io.cairn.engine.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cairn.chaos.Seeds;
import io.cairn.chaos.cluster.ServerCommand;
import io.cairn.chaos.fault.FaultKind;
import io.cairn.chaos.run.ChaosOptions;
import io.cairn.chaos.run.ChaosRun;
import io.cairn.chaos.run.RunReport;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.ThreeMembers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The chaos harness's short run, as CI runs it: three members, each in a network namespace of its
 * own, every fault kind at least once over 40 s of faults (or longer, until each kind had its turn; the storage kinds for Cairn only), then every check. Against Cairn
 * in the default suite; against Debian etcd (which validates the checks on a system meant to be
 * correct) with -Pslow. Needs root.
 */
class ChaosIT {
    private static final Duration FAULTING = Duration.ofSeconds(40);

    /** Under target/, so a failed run's logs, data and history stay for reading; a passed run's are deleted. */
    private static final Path RUNS = Path.of("target", "chaos-runs");

    /** Cairn, the system under test: in the default suite. */
    @Test
    void everyFaultKindOnceAndCairnsHistoryChecksOut() throws Exception {
        runIfSelected(ServerProcess.Kind.CAIRN);
    }

    /** etcd, which shows the checks hold on a system meant to be correct: with -Pslow (about 80 s). */
    @Test
    @Tag("slow")
    void everyFaultKindOnceAndEtcdsHistoryChecksOut() throws Exception {
        runIfSelected(ServerProcess.Kind.ETCD);
    }

    private static void runIfSelected(final ServerProcess.Kind kind) throws Exception {
        ThreeMembers.assumeSelected(kind);
        assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root");
        final ServerCommand server = kind == ServerProcess.Kind.ETCD ? ServerCommand.etcd()
            : new ServerCommand("cairn", ServerProcess.cairnCommand(), Map.of(), true);
        Seeds.run("cairn.chaos.seed", 1, seed -> {
            final Path dir = RUNS.resolve(kind.name().toLowerCase(java.util.Locale.ROOT) + "-" + seed);
            final RunReport report = new ChaosRun(new ChaosOptions(server, 3, FAULTING, seed,
                Arrays.asList(FaultKind.values()), dir), System.out).run();
            System.out.println(report);
            for (final FaultKind fault : FaultKind.values()) {
                if (!fault.storage() || server.storageFaults()) {
                    assertTrue(report.faults().get(fault) >= 1, fault + " was not injected: " + report.faults());
                }
            }
            assertTrue(report.operations() > 100, "too few operations to say anything: " + report.operations());
            assertEquals(List.of(), report.violations(), report.toString() + "\nkept: " + dir.toAbsolutePath());
            ServerProcess.deleteRecursively(dir);
        });
    }
}
