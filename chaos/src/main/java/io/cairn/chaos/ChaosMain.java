package io.cairn.chaos;

import io.cairn.chaos.cluster.ServerCommand;
import io.cairn.chaos.fault.FaultKind;
import io.cairn.chaos.net.LabSubnet;
import io.cairn.chaos.run.ChaosOptions;
import io.cairn.chaos.run.ChaosRun;
import io.cairn.chaos.run.RunReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/cairn-chaos}: runs against Cairn or etcd, prints the report, exits 1 on a violation. */
@Command(name = "cairn-chaos", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Fault injection on real member processes, each in its own network namespace, with the "
        + "history checked. Needs root.")
public final class ChaosMain implements Callable<Integer> {
    @Option(names = "--server", description = "cairn or etcd (default: ${DEFAULT-VALUE})", defaultValue = "cairn")
    String server;

    @Option(names = "--members", description = "3 or 5 (default: ${DEFAULT-VALUE})", defaultValue = "3")
    int members;

    @Option(names = "--duration", description = "how long faults go on, e.g. 3m, 1h (default: ${DEFAULT-VALUE})",
        defaultValue = "2m")
    String duration;

    @Option(names = "--seed", description = "the schedule's and the workload's seed (default: a fresh one)")
    Long seed;

    @Option(names = "--faults", split = ",", converter = FaultKindConverter.class,
        description = "fault kinds, e.g. member-replace,kill (default: all): ${COMPLETION-CANDIDATES}")
    List<FaultKind> faults;

    @Option(names = "--dir", description = "where data directories and logs go (default: a new temporary one)")
    Path dir;

    @Option(names = "--subnet", description = "the members' /24; two runs at once need two (default: ${DEFAULT-VALUE})",
        defaultValue = "10.231.0.0/24")
    String subnet;

    @Option(names = "--plant-bug", description = "Cairn only, to see the checks catch it: "
        + "follower-reads-skip-read-index, ack-before-wal-fdatasync or watch-skips-event-under-load")
    String plantedBug;

    @Option(names = "--cairn-home", description = "the Cairn checkout whose bin/cairn runs (default: this one)")
    Path cairnHome;

    public static void main(final String[] args) {
        System.exit(new CommandLine(new ChaosMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        final ServerCommand plain = switch (server) {
            case "etcd" -> ServerCommand.etcd();
            case "cairn" -> ServerCommand.cairn(cairnHome != null ? cairnHome
                : Path.of(System.getProperty("cairn.home", ".")));
            default -> throw new CommandLine.ParameterException(new CommandLine(this),
                "--server must be cairn or etcd, not " + server);
        };
        final ServerCommand command = plantedBug == null ? plain : plain.withPlantedBug(plantedBug);
        if (server.equals("cairn")) {
            buildFirst(command); // bin/cairn builds when stale: not inside the members' start-up deadline
        }
        final long runSeed = seed != null ? seed : System.nanoTime();
        final Path runDir = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("cairn-chaos-");
        final List<FaultKind> kinds = faults != null ? faults : Arrays.asList(FaultKind.values());
        final RunReport report = new ChaosRun(new ChaosOptions(command, members, parseDuration(duration), runSeed,
            kinds, runDir, LabSubnet.parse(subnet)), System.out).run();
        System.out.println(report);
        if (report.passed()) {
            deleteRecursively(runDir);
            return 0;
        }
        System.out.println("kept: " + runDir + " (the members' logs and data directories)");
        return 1;
    }

    private static void buildFirst(final ServerCommand cairn) throws Exception {
        final List<String> argv = new ArrayList<>(cairn.argv());
        argv.add("--version");
        final Process version = new ProcessBuilder(argv).inheritIO().start();
        if (!version.waitFor(10, TimeUnit.MINUTES) || version.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " failed");
        }
    }

    /** A fault kind by its name in any case, with '-' for '_': member-replace, MEMBER_REPLACE. */
    static final class FaultKindConverter implements CommandLine.ITypeConverter<FaultKind> {
        @Override
        public FaultKind convert(final String value) {
            try {
                return FaultKind.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
            } catch (final IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("no fault kind " + value + "; the kinds: "
                    + Arrays.toString(FaultKind.values()));
            }
        }
    }

    static Duration parseDuration(final String text) {
        final long amount = Long.parseLong(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
            case 's' -> Duration.ofSeconds(amount);
            case 'm' -> Duration.ofMinutes(amount);
            case 'h' -> Duration.ofHours(amount);
            default -> throw new IllegalArgumentException("a duration ends in s, m or h: " + text);
        };
    }

    private static void deleteRecursively(final Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (final Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
