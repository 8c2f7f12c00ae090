package io.cairn.engine.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.testing.Etcdctl;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.SideBySide;
import io.cairn.engine.testing.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's deployment: three members with https client and peer URLs (and a plain
 * http://127.0.0.1 client URL beside them), --client-cert-auth and --peer-client-cert-auth, run
 * as etcd 3.4.23 and as Cairn with the same flags and certificates. etcdctl over https with
 * --cacert/--cert/--key: writes replicate; auth is enabled and a client certificate's CN names the
 * user; a member restarts and serves again; a member that comes back with a certificate from
 * another CA is shut out by its peers while the other two go on. Every output is compared.
 */
class TlsClusterDifferentialIT {
    private static final int SIZE = 3;
    private static final long COMMAND_TIMEOUT_SECONDS = 40;

    @TempDir
    Path dir;

    private record Member(String name, int httpsPort, int httpPort, int peerPort) {
        String https() {
            return "https://127.0.0.1:" + httpsPort;
        }

        String peer() {
            return "https://127.0.0.1:" + peerPort;
        }
    }

    @Test
    void aTlsClusterAnswersAsEtcd() throws Exception {
        final TestCertificates ca = TestCertificates.newCa(dir.resolve("certs"), "ca");
        final TestCertificates foreign = TestCertificates.newCa(dir.resolve("certs"), "foreign");
        final List<Member> members = new ArrayList<>();
        for (int i = 1; i <= SIZE; i++) {
            members.add(new Member("m" + i, ServerProcess.freePort(), ServerProcess.freePort(), ServerProcess.freePort()));
        }
        final List<TestCertificates.CertAndKey> memberCerts = new ArrayList<>();
        for (final Member member : members) {
            memberCerts.add(ca.server(member.name()));
        }
        final TestCertificates.CertAndKey intruder = foreign.server("m3");
        final TestCertificates.CertAndKey root = ca.client("root");
        final TestCertificates.CertAndKey alice = ca.client("alice");
        final String initialCluster = String.join(",", members.stream().map(m -> m.name() + "=" + m.peer()).toList());

        final List<String> outputs = SideBySide.assertSame(kind -> {
            final Path base = Files.createDirectories(dir.resolve(kind.name().toLowerCase(Locale.ROOT)));
            final ServerProcess[] running = new ServerProcess[SIZE];
            try {
                for (int i = 0; i < SIZE; i++) {
                    running[i] = launch(kind, base, members.get(i), memberCerts.get(i), ca, initialCluster);
                }
                for (final ServerProcess process : running) {
                    process.awaitServing();
                }
                final List<String> seen = new ArrayList<>();
                final List<String> asRoot = tls(ca, root);
                final List<String> asAlice = tls(ca, alice);
                seen.add(etcdctl(members.get(0).https(), asRoot, "put", "app/x", "1"));
                seen.add(etcdctl(members.get(2).https(), asRoot, "get", "app/x"));
                seen.add(etcdctl(members.get(1).https(), asRoot, "member", "list"));
                seen.add(etcdctl(members.get(0).https(), asRoot, "user", "add", "root", "--no-password"));
                seen.add(etcdctl(members.get(0).https(), asRoot, "user", "grant-role", "root", "root"));
                seen.add(etcdctl(members.get(1).https(), asRoot, "user", "add", "alice", "--no-password"));
                seen.add(etcdctl(members.get(1).https(), asRoot, "role", "add", "app"));
                seen.add(etcdctl(members.get(2).https(), asRoot, "role", "grant-permission", "app", "readwrite", "app/",
                    "--prefix"));
                seen.add(etcdctl(members.get(2).https(), asRoot, "user", "grant-role", "alice", "app"));
                seen.add(etcdctl(members.get(0).https(), asRoot, "auth", "enable"));
                for (final Member member : members) {
                    seen.add(etcdctl(member.https(), asAlice, "put", "app/x", member.name()));
                    seen.add(etcdctl(member.https(), asAlice, "put", "other", "v"));
                    seen.add(etcdctl(member.https(), asAlice, "user", "list"));
                    seen.add(etcdctl(member.https(), asRoot, "user", "list"));
                }
                running[1].close();
                running[1] = launch(kind, base, members.get(1), memberCerts.get(1), ca, initialCluster);
                running[1].awaitServing();
                seen.add(etcdctl(members.get(1).https(), asAlice, "get", "app/x"));
                seen.add(etcdctl(members.get(1).https(), asAlice, "put", "app/y", "after restart"));
                // m3 comes back with a certificate its peers do not trust
                running[2].close();
                running[2] = launch(kind, base, members.get(2), intruder, ca, initialCluster);
                seen.add(etcdctl(members.get(0).https(), asAlice, "put", "app/z", "two of three"));
                seen.add(etcdctl(members.get(1).https(), asAlice, "get", "app/", "--prefix"));
                seen.add("m3 reads through its peers: " + exit(etcdctl(members.get(2).https(), asAlice,
                    "--command-timeout=3s", "get", "app/z")));
                seen.add("m3 still runs: " + running[2].isAlive());
                return seen;
            } finally {
                for (final ServerProcess process : running) {
                    if (process != null) {
                        process.close();
                    }
                }
            }
        }, i -> "output " + i);
        outputs.forEach(System.out::println);
        assertTrue(outputs.get(1).contains("app/x\n1\n"), outputs.get(1));
        assertTrue(outputs.stream().anyMatch(o -> o.contains("permission denied")), String.valueOf(outputs));
    }

    private static ServerProcess launch(final ServerProcess.Kind kind, final Path base, final Member member,
        final TestCertificates.CertAndKey certificate, final TestCertificates ca, final String initialCluster)
        throws IOException {
        final Path data = base.resolve(member.name());
        final String http = "http://127.0.0.1:" + member.httpPort();
        return ServerProcess.launch(kind, member.httpPort(), member.peer(), base.resolve(member.name() + ".log"), List.of(
            "--name", member.name(), "--data-dir", data.toString(),
            "--listen-client-urls", member.https() + "," + http, "--advertise-client-urls", member.https(),
            "--listen-peer-urls", member.peer(), "--initial-advertise-peer-urls", member.peer(),
            "--initial-cluster", initialCluster, "--initial-cluster-token", "tls-cluster",
            "--initial-cluster-state", "new",
            "--cert-file", certificate.cert().toString(), "--key-file", certificate.key().toString(),
            "--trusted-ca-file", ca.caFile().toString(), "--client-cert-auth",
            "--peer-cert-file", certificate.cert().toString(), "--peer-key-file", certificate.key().toString(),
            "--peer-trusted-ca-file", ca.caFile().toString(), "--peer-client-cert-auth"));
    }

    private static List<String> tls(final TestCertificates ca, final TestCertificates.CertAndKey client) {
        return List.of("--cacert", ca.caFile().toString(), "--cert", client.cert().toString(), "--key",
            client.key().toString());
    }

    private static String exit(final String output) {
        return output.startsWith("exit 0") ? "answered" : "refused";
    }

    private static String etcdctl(final String endpoint, final List<String> tls, final String... arguments)
        throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of("etcdctl", "--endpoints", endpoint, "--dial-timeout=3s",
            "--command-timeout=10s"));
        command.addAll(tls);
        command.addAll(List.of(arguments));
        return String.join(" ", arguments) + "\n" + Etcdctl.runCommand(command, "", COMMAND_TIMEOUT_SECONDS);
    }
}
