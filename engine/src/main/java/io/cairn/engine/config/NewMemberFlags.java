package io.cairn.engine.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The flags of a command that builds a new cluster's member from a file (`cairn snapshot restore`,
 * `cairn migrate`): etcdctl 3.4's `snapshot restore` names and defaults.
 */
final class NewMemberFlags {
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

    /**
     * The validated request to build this member from {@code file}.
     *
     * @throws IllegalArgumentException naming the flag that is wrong
     */
    SnapshotRestoreCommandLine.Restore toRestore(final Path file) {
        final List<URI> advertised = UrlList.parse("--initial-advertise-peer-urls", initialAdvertisePeerUrls);
        final InitialCluster cluster = InitialCluster.parse(initialCluster);
        final List<URI> own = cluster.peerUrlsByName().get(name);
        if (own == null) {
            throw new IllegalArgumentException("couldn't find local name \"" + name
                + "\" in the initial cluster configuration");
        }
        if (!Set.copyOf(own).equals(Set.copyOf(advertised))) {
            throw new IllegalArgumentException("--initial-cluster has " + name + "=" + own
                + " but missing from --initial-advertise-peer-urls=" + advertised);
        }
        final Path data = Path.of(dataDir.isEmpty() ? name + ".cairn" : dataDir);
        final Path wal = walDir.isEmpty() ? data.resolve("member").resolve("wal") : Path.of(walDir);
        return new SnapshotRestoreCommandLine.Restore(file, name, data, wal, cluster, initialClusterToken, advertised,
            skipHashCheck);
    }
}
