package io.cairn.engine.config;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `cairn migrate --from-etcd-snapshot FILE`: a new member's data dir from a snapshot of real etcd.
 * The member is named and placed in its cluster with etcdctl's `snapshot restore` flags, as
 * `cairn snapshot restore` does, so a migration is a restore whose file came from etcd.
 */
public final class MigrateCommandLine {
    @Command(name = "cairn migrate", usageHelpWidth = 100,
        description = "Builds a new member's data dir from a snapshot of etcd 3.4 (etcdctl snapshot save): every "
            + "revision, key version, lease, the compaction point and etcd's auth buckets.")
    static final class Flags {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;

        @Option(names = "--from-etcd-snapshot", required = true, paramLabel = "FILE",
            description = "The snapshot file etcdctl snapshot save wrote against etcd (or a copy of its member/snap/db "
                + "with --skip-hash-check).")
        Path snapshot;

        @Mixin
        NewMemberFlags member = new NewMemberFlags();
    }

    private MigrateCommandLine() {
    }

    /** {@code args}: what follows "migrate". */
    public static SnapshotRestoreCommandLine.Outcome parse(final List<String> args) {
        final Flags flags = new Flags();
        final CommandLine commandLine = new CommandLine(flags);
        try {
            commandLine.parseArgs(args.toArray(String[]::new));
        } catch (final CommandLine.ParameterException e) {
            if (flags.help) {
                return help(commandLine);
            }
            return new SnapshotRestoreCommandLine.Outcome.UsageError(e.getMessage());
        }
        if (flags.help) {
            return help(commandLine);
        }
        try {
            return new SnapshotRestoreCommandLine.Outcome.Run(flags.member.toRestore(flags.snapshot));
        } catch (final IllegalArgumentException e) {
            return new SnapshotRestoreCommandLine.Outcome.UsageError(e.getMessage());
        }
    }

    private static SnapshotRestoreCommandLine.Outcome help(final CommandLine commandLine) {
        final StringWriter help = new StringWriter();
        commandLine.usage(new PrintWriter(help));
        return new SnapshotRestoreCommandLine.Outcome.Print(help.toString());
    }
}
