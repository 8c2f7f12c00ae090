package io.cairn.engine;

import io.cairn.engine.cluster.InitialMembers;
import io.cairn.engine.config.SnapshotRestoreCommandLine;
import io.cairn.engine.node.SnapshotRestore;
import java.io.IOException;
import java.util.List;

/** `bin/cairn snapshot restore FILE [flags]`: the command line in, a restored data dir out. */
final class SnapshotRestoreLauncher {
    private SnapshotRestoreLauncher() {
    }

    /** {@code args}: what follows "snapshot"; returns the exit code. */
    static int run(final List<String> args) {
        if (args.isEmpty() || !args.getFirst().equals("restore")) {
            System.err.println("cairn: snapshot: the only subcommand is 'restore FILE' (save with etcdctl snapshot save)."
                + " See 'cairn snapshot restore --help'.");
            return Main.EXIT_USAGE;
        }
        switch (SnapshotRestoreCommandLine.parse(args.subList(1, args.size()))) {
            case SnapshotRestoreCommandLine.Outcome.Print print -> {
                System.out.print(print.text());
                return 0;
            }
            case SnapshotRestoreCommandLine.Outcome.UsageError error -> {
                System.err.println("cairn: snapshot restore: " + error.message()
                    + ". See 'cairn snapshot restore --help'.");
                return Main.EXIT_USAGE;
            }
            case SnapshotRestoreCommandLine.Outcome.Run run -> {
                final SnapshotRestoreCommandLine.Restore restore = run.restore();
                final InitialMembers members = InitialMembers.of(restore.initialCluster().peerUrlsByName(),
                    restore.initialClusterToken(), restore.name(), restore.initialAdvertisePeerUrls());
                try {
                    SnapshotRestore.restore(restore.snapshot(), restore.dataDir(), restore.walDir(), members,
                        restore.name(), restore.skipHashCheck(), line -> System.err.println("cairn: " + line));
                    return 0;
                } catch (final IllegalArgumentException e) {
                    System.err.println("Error: " + e.getMessage());
                    return Main.EXIT_FAILURE;
                } catch (final IOException | RuntimeException e) {
                    System.err.println("Error: restoring " + restore.snapshot() + " failed: " + e);
                    return Main.EXIT_FAILURE;
                }
            }
        }
    }
}
