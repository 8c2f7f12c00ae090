package io.cairn.engine.config;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `cairn snapshot restore FILE`: etcdctl 3.4's `snapshot restore` flags, names and defaults, so a
 * restore script written for etcd runs against Cairn with only the binary changed.
 */
public final class SnapshotRestoreCommandLine {
    /** A validated restore request. */
    public record Restore(Path snapshot, String name, Path dataDir, Path walDir, InitialCluster initialCluster,
                          String initialClusterToken, List<URI> initialAdvertisePeerUrls, boolean skipHashCheck) {
    }

    /** What the launcher should do: restore, print (help), or refuse with a message. */
    public sealed interface Outcome {
        record Run(Restore restore) implements Outcome {
        }

        record Print(String text) implements Outcome {
        }

        record UsageError(String message) implements Outcome {
        }
    }

    @Command(name = "cairn snapshot restore", usageHelpWidth = 100,
        description = "Restores a snapshot (from etcdctl snapshot save against Cairn) into a new member's data dir.")
    static final class Flags {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;

        @Parameters(index = "0", paramLabel = "FILE", description = "The snapshot file.")
        Path snapshot;

        @Option(names = "--name", defaultValue = "default", description = "Human-readable name for this member.")
        String name;

        @Option(names = "--data-dir", defaultValue = "",
            description = "Path to the data directory (default: <name>.cairn, as the server's).")
        String dataDir;

        @Option(names = "--wal-dir", defaultValue = "", description = "Path to the WAL directory (default: in the data dir).")
        String walDir;

        @Option(names = "--initial-cluster", defaultValue = "default=http://localhost:2380",
            description = "Initial cluster configuration for restore bootstrap.")
        String initialCluster;

        @Option(names = "--initial-cluster-token", defaultValue = "etcd-cluster",
            description = "Initial cluster token for the etcd cluster during restore bootstrap.")
        String initialClusterToken;

        @Option(names = "--initial-advertise-peer-urls", defaultValue = "http://localhost:2380",
            description = "List of this member's peer URLs to advertise to the rest of the cluster.")
        String initialAdvertisePeerUrls;

        @Option(names = "--skip-hash-check", description = "Ignore snapshot integrity hash value "
            + "(required if copied from data directory).")
        boolean skipHashCheck;
    }

    private SnapshotRestoreCommandLine() {
    }

    /** {@code args}: what follows "snapshot restore". */
    public static Outcome parse(final List<String> args) {
        final Flags flags = new Flags();
        final CommandLine commandLine = new CommandLine(flags);
        try {
            commandLine.parseArgs(args.toArray(String[]::new));
        } catch (final CommandLine.ParameterException e) {
            return new Outcome.UsageError(e.getMessage());
        }
        if (flags.help) {
            final StringWriter help = new StringWriter();
            commandLine.usage(new PrintWriter(help));
            return new Outcome.Print(help.toString());
        }
        try {
            final List<URI> advertised = UrlList.parse("--initial-advertise-peer-urls", flags.initialAdvertisePeerUrls);
            final InitialCluster cluster = InitialCluster.parse(flags.initialCluster);
            final List<URI> own = cluster.peerUrlsByName().get(flags.name);
            if (own == null) {
                return new Outcome.UsageError("couldn't find local name \"" + flags.name
                    + "\" in the initial cluster configuration");
            }
            if (!Set.copyOf(own).equals(Set.copyOf(advertised))) {
                return new Outcome.UsageError("--initial-cluster has " + flags.name + "=" + own
                    + " but missing from --initial-advertise-peer-urls=" + advertised);
            }
            final Path dataDir = Path.of(flags.dataDir.isEmpty() ? flags.name + ".cairn" : flags.dataDir);
            final Path walDir = flags.walDir.isEmpty() ? dataDir.resolve("member").resolve("wal") : Path.of(flags.walDir);
            return new Outcome.Run(new Restore(flags.snapshot, flags.name, dataDir, walDir, cluster,
                flags.initialClusterToken, advertised, flags.skipHashCheck));
        } catch (final IllegalArgumentException e) {
            return new Outcome.UsageError(e.getMessage());
        }
    }
}
