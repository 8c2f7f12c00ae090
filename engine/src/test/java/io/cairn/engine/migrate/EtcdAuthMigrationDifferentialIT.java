package io.cairn.engine.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.testing.Etcdctl;
import io.cairn.engine.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An etcd with auth enabled (users with etcd's bcrypt hashes, a no-password user, roles with key,
 * prefix and open-range permissions) saved with `etcdctl snapshot save` and migrated with `cairn
 * migrate`: the same etcdctl session against the etcd and against Cairn on the migrated data dir
 * prints the same, so users log in with their old passwords and are refused as before. Tagged slow
 * (-Pslow) to keep the default suite under 25 minutes; EtcdSnapshotMigrationTest covers the auth
 * buckets' conversion in the default suite.
 */
@Tag("slow")
class EtcdAuthMigrationDifferentialIT {
    private static final String ROOT = "root:rootpw";
    private static final long COMMAND_TIMEOUT_SECONDS = 120;

    @Test
    void aMigratedAuthStoreAnswersAsEtcdsDid() throws Exception {
        final Path work = Files.createTempDirectory("cairn-auth-migrate");
        try (ServerProcess etcd = ServerProcess.start(ServerProcess.Kind.ETCD, ServerProcess.freePort(),
            ServerProcess.freePort())) {
            final String url = etcd.clientUrl();
            for (final List<String> command : List.of(
                List.of("user", "add", ROOT), List.of("user", "grant-role", "root", "root"),
                List.of("user", "add", "alice:alicepw"), List.of("user", "add", "carol", "--no-password"),
                List.of("role", "add", "app"), List.of("role", "grant-permission", "app", "readwrite", "app/", "--prefix"),
                List.of("role", "grant-permission", "app", "read", "z", "--from-key"),
                List.of("role", "grant-permission", "app", "write", "w"),
                List.of("user", "grant-role", "alice", "app"), List.of("put", "app/x", "1"), List.of("put", "z1", "2"),
                List.of("auth", "enable"))) {
                final String output = Etcdctl.run(url, "", command);
                assertTrue(output.startsWith("exit 0"), command + ": " + output);
            }
            final Path snapshot = work.resolve("snapshot.db");
            final String saved = Etcdctl.run(url, "--user", ROOT, "snapshot", "save", snapshot.toString());
            assertTrue(saved.startsWith("exit 0"), saved);
            final List<String> fromEtcd = session(url);

            final int peerPort = ServerProcess.freePort();
            final Path dataDir = work.resolve("cairn");
            final String peerUrl = "http://127.0.0.1:" + peerPort;
            final List<String> migrate = new ArrayList<>(ServerProcess.cairnCommand());
            migrate.addAll(List.of("migrate", "--from-etcd-snapshot", snapshot.toString(), "--name", "default",
                "--initial-cluster", "default=" + peerUrl, "--initial-advertise-peer-urls", peerUrl,
                "--data-dir", dataDir.toString()));
            final String migrated = Etcdctl.runCommand(migrate, "", COMMAND_TIMEOUT_SECONDS);
            System.out.println(migrated);
            assertTrue(migrated.startsWith("exit 0"), migrated);
            assertTrue(migrated.contains("auth enabled"), migrated);
            try (ServerProcess cairn = ServerProcess.start(ServerProcess.Kind.CAIRN, ServerProcess.freePort(), peerPort,
                dataDir)) {
                final List<String> fromCairn = session(cairn.clientUrl());
                fromCairn.forEach(System.out::println);
                assertEquals(fromEtcd, fromCairn);
            }
        } finally {
            ServerProcess.deleteRecursively(work);
        }
    }

    private static List<String> session(final String url) throws Exception {
        final List<String> outputs = new ArrayList<>();
        for (final List<String> command : List.of(
            List.of("get", "app/x"),
            List.of("--user", ROOT, "user", "list"),
            List.of("--user", ROOT, "role", "get", "app"),
            List.of("--user", ROOT, "user", "get", "alice"),
            List.of("--user", "alice:alicepw", "get", "app/x", "--print-value-only"),
            List.of("--user", "alice:alicepw", "get", "z1", "--print-value-only"),
            List.of("--user", "alice:alicepw", "put", "z1", "3"),
            List.of("--user", "alice:alicepw", "put", "w", "3"),
            List.of("--user", "alice:wrong", "get", "app/x"),
            List.of("--user", "carol:any", "get", "app/x"),
            List.of("--user", "alice:alicepw", "user", "list"))) {
            final List<String> args = new ArrayList<>(List.of("--command-timeout", "30s"));
            args.addAll(command);
            outputs.add(String.join(" ", command) + "\n" + Etcdctl.run(url, "", args));
        }
        return outputs;
    }
}
