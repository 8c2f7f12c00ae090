package io.cairn.engine.auth;

import io.cairn.engine.testing.Etcdctl;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.SideBySide;
import io.cairn.engine.testing.ThreeMembers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Auth on a three-member cluster, etcd against Cairn: users, roles and the enabled flag go through
 * the log, so a change made through one member holds on every other; a member restarted after the
 * changes still enforces them; a follower and the leader answer the same. Tagged slow (-Pslow): in the
 * default suite, TlsClusterDifferentialIT covers auth on three members (changes through different
 * members, a restart) over https.
 */
@Tag("slow")
class AuthClusterDifferentialIT {
    private static final String ROOT = "root:rootpw";

    @RegisterExtension
    final ThreeMembers.Logs logs = new ThreeMembers.Logs();

    @Test
    void authChangesHoldOnEveryMember() throws Exception {
        final ThreeMembers.Ports ports = ThreeMembers.Ports.free();
        SideBySide.assertSame(kind -> session(kind, ports), i -> "output " + i).forEach(System.out::println);
    }

    private List<String> session(final ServerProcess.Kind kind, final ThreeMembers.Ports ports) throws Exception {
        try (ThreeMembers cluster = ThreeMembers.start(kind, ports, logs)) {
            final List<String> outputs = new ArrayList<>();
            outputs.add(run(cluster, 0, "user", "add", ROOT));
            outputs.add(run(cluster, 1, "user", "grant-role", "root", "root"));
            outputs.add(run(cluster, 2, "user", "add", "alice:alicepw"));
            outputs.add(run(cluster, 0, "role", "add", "app"));
            outputs.add(run(cluster, 1, "role", "grant-permission", "app", "readwrite", "app/", "--prefix"));
            outputs.add(run(cluster, 2, "user", "grant-role", "alice", "app"));
            outputs.add(run(cluster, 0, "auth", "enable"));
            for (int i = 0; i < ThreeMembers.SIZE; i++) {
                outputs.add(run(cluster, i, "put", "app/x", "anonymous"));
                outputs.add(run(cluster, i, "--user", "alice:alicepw", "put", "app/x", "v" + i));
                outputs.add(run(cluster, i, "--user", "alice:alicepw", "put", "other", "v"));
                outputs.add(run(cluster, i, "--user", ROOT, "user", "get", "alice"));
            }
            outputs.add(run(cluster, 1, "--user", ROOT, "role", "revoke-permission", "app", "app/", "--prefix"));
            cluster.kill(2);
            cluster.restart(2);
            for (int i = 0; i < ThreeMembers.SIZE; i++) {
                outputs.add(run(cluster, i, "--user", "alice:alicepw", "get", "app/x"));
                outputs.add(run(cluster, i, "--user", ROOT, "get", "app/x"));
            }
            outputs.add(run(cluster, 2, "--user", ROOT, "auth", "disable"));
            for (int i = 0; i < ThreeMembers.SIZE; i++) {
                outputs.add(run(cluster, i, "get", "app/x"));
            }
            return outputs;
        }
    }

    private static String run(final ThreeMembers cluster, final int member, final String... arguments) throws Exception {
        final List<String> args = new ArrayList<>(List.of("--command-timeout", "30s"));
        args.addAll(List.of(arguments));
        return "member " + member + ": " + String.join(" ", arguments) + "\n"
            + Etcdctl.run(cluster.clientUrl(member), "", args);
    }
}
