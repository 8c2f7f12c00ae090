package io.cairn.engine.config;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

        @Mixin
        NewMemberFlags member = new NewMemberFlags();
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
            return new Outcome.Run(flags.member.toRestore(flags.snapshot));
        } catch (final IllegalArgumentException e) {
            return new Outcome.UsageError(e.getMessage());
        }
    }
}
