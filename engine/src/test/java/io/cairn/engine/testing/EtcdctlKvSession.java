package io.cairn.engine.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The etcdctl session of the differential tests: put, get in every output format and option,
 * del, txn, compaction and the empty key, in an order whose revisions and errors are the same on
 * every run against a fresh server (or cluster).
 */
public final class EtcdctlKvSession {
    /** One etcdctl invocation: its arguments and, optionally, what it reads on standard input. */
    public record Command(List<String> args, String stdin) {
        public static Command of(final String... args) {
            return new Command(List.of(args), "");
        }

        public static Command withInput(final String stdin, final String... args) {
            return new Command(List.of(args), stdin);
        }
    }

    public static final List<Command> COMMANDS = List.of(
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

    private EtcdctlKvSession() {
    }

    /** Runs every command against {@code endpoint}; returns each output ({@link Etcdctl#run}), in order. */
    public static List<String> run(final String endpoint) throws IOException, InterruptedException {
        final List<String> outputs = new ArrayList<>();
        for (final Command command : COMMANDS) {
            outputs.add(Etcdctl.run(endpoint, command.stdin(), command.args()));
        }
        return outputs;
    }

    /** "etcdctl ARGS" of command i, for failure messages. */
    public static String label(final int i) {
        return "etcdctl " + String.join(" ", COMMANDS.get(i).args());
    }

    /**
     * Requires that most commands succeeded: guards against a run in which both servers were
     * unreachable and "agreed" on errors.
     */
    public static void assertMostSucceeded(final List<String> outputs) {
        final long succeeded = outputs.stream().filter(output -> output.startsWith("exit 0\n")).count();
        assertTrue(succeeded > COMMANDS.size() * 3 / 4,
            "only " + succeeded + " commands succeeded on etcd: " + outputs);
    }
}
