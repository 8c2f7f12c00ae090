package io.cairn.engine.cluster;

import io.cairn.engine.testing.Etcdctl;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.SideBySide;
import io.cairn.engine.testing.ThreeMembers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Back up and restore, as an operator does it with etcd: `etcdctl snapshot save` from one member of
 * a three-member cluster while it serves, then each member of a new three-member cluster (other
 * peer URLs, so other member ids) restored from that file — `etcdctl snapshot restore` for etcd,
 * `cairn snapshot restore` with the same flags for Cairn — started, and read: the same keys,
 * versions and revisions, the new member list, and writes go on from the snapshot's revision.
 */
class SnapshotRestoreDifferentialIT {
    private static final long COMMAND_TIMEOUT_SECONDS = 60;

    @RegisterExtension
    final ThreeMembers.Logs logs = new ThreeMembers.Logs();

    @Test
    void aClusterRestoredFromASnapshotServesTheSameAsEtcds() throws Exception {
        final ThreeMembers.Ports original = ThreeMembers.Ports.free();
        final ThreeMembers.Ports restored = ThreeMembers.Ports.free();
        SideBySide.assertSame(kind -> session(kind, original, restored), i -> "output " + i);
    }

    private List<String> session(final ServerProcess.Kind kind, final ThreeMembers.Ports originalPorts,
        final ThreeMembers.Ports restoredPorts) throws Exception {
        final List<String> outputs = new ArrayList<>();
        final Path work = Files.createTempDirectory("cairn-snapshot-" + kind.name().toLowerCase(java.util.Locale.ROOT));
        try {
            final Path snapshot = work.resolve("snapshot.db");
            try (ThreeMembers cluster = ThreeMembers.start(kind, originalPorts, logs)) {
                final String endpoints = cluster.endpoints();
                for (int i = 0; i < 40; i++) {
                    Etcdctl.run(endpoints, "put", "key" + (i % 25), "value" + i);
                }
                Etcdctl.run(endpoints, "del", "key3");
                Etcdctl.run(endpoints, "compaction", "20");
                outputs.add(Etcdctl.run(cluster.clientUrl(cluster.followerIndex()), "snapshot", "save", snapshot.toString())
                    .replace(snapshot.toString(), "<file>"));
                outputs.add("after the snapshot: " + Etcdctl.run(endpoints, "put", "later", "not in the snapshot"));
            }

            final String initialCluster = IntStream.range(0, ThreeMembers.SIZE)
                .mapToObj(m -> ThreeMembers.name(m) + "=http://127.0.0.1:" + restoredPorts.peer().get(m))
                .collect(Collectors.joining(","));
            try (ThreeMembers cluster = ThreeMembers.start(kind, restoredPorts, logs, (member, dataDir) -> {
                final List<String> flags = List.of("--name", ThreeMembers.name(member), "--initial-cluster", initialCluster,
                    "--initial-cluster-token", ThreeMembers.TOKEN,
                    "--initial-advertise-peer-urls", "http://127.0.0.1:" + restoredPorts.peer().get(member),
                    "--data-dir", dataDir.toString());
                outputs.add(ThreeMembers.name(member) + " restore: " + restore(kind, snapshot, flags));
            })) {
                final String endpoints = cluster.endpoints();
                outputs.add(Etcdctl.run(endpoints, "member", "list"));
                outputs.add(Etcdctl.run(endpoints, "get", "--prefix", "", "-w", "json")
                    .replaceAll("\"(cluster_id|member_id|raft_term)\":[0-9]+,?", ""));
                outputs.add(Etcdctl.run(endpoints, "get", "key5", "--rev", "10"));
                outputs.add(Etcdctl.run(endpoints, "put", "after", "restore"));
                outputs.add(Etcdctl.run(cluster.clientUrl(cluster.followerIndex()), "get", "after", "-w", "json")
                    .replaceAll("\"(cluster_id|member_id|raft_term)\":[0-9]+,?", ""));
            }
        } finally {
            ServerProcess.deleteRecursively(work);
        }
        return outputs;
    }

    /** The restore tool of the kind: its exit code, and whether it refused (their logs differ). */
    private static String restore(final ServerProcess.Kind kind, final Path snapshot, final List<String> flags)
        throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(kind == ServerProcess.Kind.ETCD
            ? List.of("etcdctl", "snapshot", "restore") : withSnapshotRestore(ServerProcess.cairnCommand()));
        command.add(snapshot.toString());
        command.addAll(flags);
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("ETCDCTL_API", "3");
        final Process process = builder.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(command + " did not finish");
        }
        if (process.exitValue() != 0) {
            throw new IOException(command + " failed: " + output);
        }
        return "exit 0";
    }

    private static List<String> withSnapshotRestore(final List<String> cairn) {
        final List<String> command = new ArrayList<>(cairn);
        command.addAll(List.of("snapshot", "restore"));
        return command;
    }
}
