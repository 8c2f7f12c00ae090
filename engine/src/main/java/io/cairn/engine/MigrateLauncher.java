package io.cairn.engine;

import io.cairn.engine.cluster.InitialMembers;
import io.cairn.engine.config.MigrateCommandLine;
import io.cairn.engine.config.SnapshotRestoreCommandLine;
import io.cairn.engine.migrate.EtcdSnapshotMigration;
import java.io.IOException;
import java.util.List;

/** `bin/cairn migrate --from-etcd-snapshot FILE [flags]`: the command line in, a migrated data dir out. */
final class MigrateLauncher {
    private MigrateLauncher() {
    }

    /** {@code args}: what follows "migrate"; returns the exit code. */
    static int run(final List<String> args) {
        switch (MigrateCommandLine.parse(args)) {
            case SnapshotRestoreCommandLine.Outcome.Print print -> {
                System.out.print(print.text());
                return 0;
            }
            case SnapshotRestoreCommandLine.Outcome.UsageError error -> {
                System.err.println("cairn: migrate: " + error.message() + ". See 'cairn migrate --help'.");
                return Main.EXIT_USAGE;
            }
            case SnapshotRestoreCommandLine.Outcome.Run run -> {
                final SnapshotRestoreCommandLine.Restore request = run.restore();
                final InitialMembers members = InitialMembers.of(request.initialCluster().peerUrlsByName(),
                    request.initialClusterToken(), request.name(), request.initialAdvertisePeerUrls());
                try {
                    EtcdSnapshotMigration.migrate(request.snapshot(), request.dataDir(), request.walDir(), members,
                        request.name(), request.skipHashCheck(), line -> System.err.println("cairn: " + line));
                    return 0;
                } catch (final IllegalArgumentException e) {
                    System.err.println("Error: " + e.getMessage());
                    return Main.EXIT_FAILURE;
                } catch (final IOException | RuntimeException e) {
                    System.err.println("Error: migrating " + request.snapshot() + " failed: " + e);
                    return Main.EXIT_FAILURE;
                }
            }
        }
    }
}
