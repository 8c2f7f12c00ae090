package io.cairn.engine.differential;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.testing.Etcdctl;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.SideBySide;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the same etcdctl session (Debian etcd-client) against Debian etcd and against Cairn, each
 * started on the same ports with the same flags, and requires identical output, line for line:
 * values, revisions, ids, JSON and error messages.
 */
class EtcdctlDifferentialIT {
    /** One etcdctl invocation: its arguments and, optionally, what it reads on standard input. */
    private record Command(List<String> args, String stdin) {
        static Command of(final String... args) {
            return new Command(List.of(args), "");
        }

        static Command withInput(final String stdin, final String... args) {
            return new Command(List.of(args), stdin);
        }
    }

    private static final List<Command> SESSION = List.of(
        Command.of("put", "foo", "bar"),
        Command.of("get", "foo"),
        Command.of("get", "foo", "-w", "json"),
        Command.of("put", "foo", "baz", "--prev-kv"),
        Command.of("get", "foo", "-w", "json"),
        Command.of("get", "foo", "--rev", "2"),
        Command.of("get", "foo", "--rev", "99"),
        Command.of("put", "foo2", "v2"),
        Command.of("put", "foo3", "v3"),
        Command.of("put", "fop", "x"),
        Command.of("get", "foo", "--prefix"),
        Command.of("get", "foo", "--prefix", "--keys-only"),
        Command.of("get", "foo", "--prefix", "--print-value-only"),
        Command.of("get", "foo", "--prefix", "--limit", "2"),
        Command.of("get", "foo", "--prefix", "--limit", "2", "-w", "json"),
        Command.of("get", "foo", "--prefix", "--count-only", "-w", "json"),
        Command.of("get", "foo", "--prefix", "--order", "DESCEND"),
        Command.of("get", "foo", "--prefix", "--sort-by", "MODIFY", "--order", "DESCEND"),
        Command.of("get", "foo", "--prefix", "--sort-by", "VALUE"),
        Command.of("get", "foo", "--prefix", "--sort-by", "CREATE", "-w", "json"),
        Command.of("get", "foo", "fop"),
        Command.of("get", "foo", "--from-key"),
        Command.of("get", "", "--prefix", "-w", "fields"),
        Command.of("get", "foo", "--consistency", "s"),
        Command.of("get", "--prefix", "foo", "--min-mod-revision", "4"),
        Command.of("get", "--prefix", "foo", "--max-create-revision", "4", "-w", "json"),
        Command.of("get", "nothing-here"),
        Command.of("get", "nothing-here", "-w", "json"),
        Command.of("put", "empty", ""),
        Command.of("get", "empty", "-w", "json"),
        Command.of("put", "foo", "--ignore-value"),
        Command.of("put", "missing", "--ignore-value"),
        Command.of("put", "foo", "v", "--ignore-lease"),
        Command.of("put", "foo", "v", "--lease", "1234"),
        Command.of("del", "foo2"),
        Command.of("del", "foo2"),
        Command.of("del", "foo", "--prefix", "--prev-kv"),
        Command.of("get", "", "--prefix", "-w", "json"),
        Command.of("put", "a", "1"),
        Command.of("put", "b", "2"),
        Command.of("put", "c", "3"),
        Command.of("del", "a", "c"),
        Command.of("del", "a", "--from-key", "-w", "json"),
        Command.withInput("value(\"x\") = \"1\"\n\nput x 1\n\nput x 2\n\n", "txn"),
        Command.withInput("create(\"x\") = \"0\"\n\nput x 1\nget x\n\nput y 2\n\n", "txn", "-w", "json"),
        Command.withInput("mod(\"x\") > \"0\"\n\nget x\nput x 3 --prev-kv\n\ndel x\n\n", "txn"),
        Command.withInput("version(\"x\") = \"1\"\n\nput z 1\n\nput z 2\n\n", "txn", "-w", "fields"),
        Command.withInput("\nput t 1\nput t 2\n\n\n", "txn"),
        Command.of("get", "", "--prefix", "-w", "json"),
        Command.of("compaction", "3"),
        Command.of("compaction", "3"),
        Command.of("compaction", "999"),
        Command.of("get", "x", "--rev", "2"),
        Command.of("get", "x", "--rev", "3", "-w", "json"),
        Command.of("compaction", "--physical", "5"),
        Command.of("get", "", "--prefix", "-w", "json"),
        Command.of("put", "", "empty-key"),
        Command.of("get", ""),
        Command.of("del", ""));

    @Test
    void etcdctlPrintsTheSameAgainstBoth() throws Exception {
        final List<String> etcd = SideBySide.assertSame(EtcdctlDifferentialIT::runSession,
            i -> "etcdctl " + String.join(" ", SESSION.get(i).args()));
        int succeeded = 0;
        for (final String output : etcd) {
            if (output.startsWith("exit 0\n")) {
                succeeded++;
            }
        }
        // Guards against a session in which both servers were unreachable and "agreed" on errors.
        assertTrue(succeeded > SESSION.size() * 3 / 4, "only " + succeeded + " commands succeeded on etcd: " + etcd);
    }

    private static List<String> runSession(final ServerProcess.Kind kind, final int clientPort, final int peerPort)
        throws IOException, InterruptedException {
        final List<String> outputs = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start(kind, clientPort, peerPort)) {
            for (final Command command : SESSION) {
                outputs.add(Etcdctl.run(server.clientUrl(), command.stdin(), command.args()));
            }
        }
        return outputs;
    }
}
