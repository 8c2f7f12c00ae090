package io.cairn.engine.watch;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.testing.Etcdctl;
import io.cairn.engine.testing.EtcdctlSession;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.SideBySide;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs the same `etcdctl watch` session against Debian etcd and against Cairn (same ports and
 * flags, so the same ids in JSON) and requires identical output: replay from past revisions by key,
 * prefix, range and the whole key space, prev_kv, JSON, interactive mode, live events and a watch
 * from a compacted revision. A watch never ends, so each one runs until it has printed the events
 * it must print and is then stopped; an extra or missing event shows up as a difference.
 */
class WatchDifferentialIT {
    private static final Pattern SIMPLE_EVENT = Pattern.compile("^(PUT|DELETE)$", Pattern.MULTILINE);
    private static final Pattern JSON_EVENT = Pattern.compile("(?<!prev_)\"kv\":\\{");

    /**
     * A watch replaying history written before it started: how many events that history holds, and
     * how the output ends once the last one is printed whole (etcdctl prints an event over several
     * lines; JSON responses are whole lines, so their tail is empty).
     */
    private record Replay(int events, String tail, List<String> args) {
        static Replay of(final int events, final String tail, final String... args) {
            return new Replay(events, tail, List.of(args));
        }
    }

    private static final String DELETE_FOO = "DELETE\nfoo\n\n";

    // History: 2 put foo 1, 3 put foo 2, 4 put foo/a x, 5 put fob y, 6 del foo, 7 put zz end.
    private static final List<Replay> REPLAYS = List.of(
        Replay.of(3, DELETE_FOO, "watch", "foo", "--rev", "1"),
        Replay.of(4, DELETE_FOO, "watch", "foo", "--prefix", "--rev", "1"),
        Replay.of(2, "DELETE\nfoo\n2\nfoo\n\n", "watch", "foo", "--rev", "3", "--prev-kv"),
        Replay.of(4, DELETE_FOO, "watch", "foo", "fop", "--rev", "1"),
        Replay.of(3, DELETE_FOO, "watch", "fo", "foo0", "--rev", "4"),
        Replay.of(4, "", "watch", "--prefix", "foo", "--rev", "1", "-w", "json"),
        Replay.of(6, "", "watch", "", "--prefix", "--rev", "1", "-w", "json", "--prev-kv"),
        Replay.of(1, "", "watch", "zz", "--rev", "7", "-w", "json"),
        Replay.of(3, "PUT\nzz\nend\n", "watch", "", "--prefix", "--rev", "5"));

    @Test
    void etcdctlWatchPrintsTheSameAgainstBoth() throws Exception {
        final List<String> etcd = SideBySide.assertSame(WatchDifferentialIT::runSession, i -> "part " + i);
        assertTrue(etcd.getLast().contains("compacted"), "the last part watches a compacted revision: " + etcd);
    }

    private static List<String> runSession(final ServerProcess.Kind kind, final int clientPort, final int peerPort)
        throws IOException, InterruptedException {
        final List<String> outputs = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start(kind, clientPort, peerPort)) {
            final String url = server.clientUrl();
            for (final List<String> write : List.of(List.of("put", "foo", "1"), List.of("put", "foo", "2"),
                List.of("put", "foo/a", "x"), List.of("put", "fob", "y"), List.of("del", "foo"),
                List.of("put", "zz", "end"))) {
                outputs.add(Etcdctl.run(url, "", write));
            }
            for (final Replay replay : REPLAYS) {
                try (EtcdctlSession watch = EtcdctlSession.start(url, replay.args().toArray(String[]::new))) {
                    watch.await(out -> events(out) >= replay.events() && out.endsWith(replay.tail()));
                    outputs.add(watch.kill());
                }
            }
            outputs.add(interactive(url));
            outputs.add(liveJson(url));
            outputs.add(Etcdctl.run(url, "compaction", "12"));
            outputs.add(Etcdctl.run(url, "watch", "foo", "--rev", "3"));
        }
        return outputs;
    }

    /**
     * etcdctl 3.4's interactive mode knows only "watch" lines (anything else is refused with a
     * message) and ends when its input does. Each watcher is given writes of its own, so the two
     * never print at once.
     */
    private static String interactive(final String url) throws IOException, InterruptedException {
        try (EtcdctlSession watch = EtcdctlSession.start(url, "watch", "-i")) {
            watch.send("watch --rev 8 foo");
            Etcdctl.run(url, "put", "foo", "live1"); // revision 8
            watch.await(out -> out.endsWith("PUT\nfoo\nlive1\n"));
            watch.send("cancel 0");
            watch.send("watch --rev 9 --prefix fob --prev-kv");
            Etcdctl.run(url, "put", "fob", "z"); // revision 9
            watch.await(out -> out.contains("fob\nz\n") && out.contains("only support watch"));
            Etcdctl.run(url, "del", "foo"); // revision 10
            watch.await(out -> out.endsWith(DELETE_FOO));
            return watch.endInput();
        }
    }

    /** Live events one at a time, so each is one response with its own revision in the header. */
    private static String liveJson(final String url) throws IOException, InterruptedException {
        try (EtcdctlSession watch = EtcdctlSession.start(url, "watch", "foo", "-w", "json", "--rev", "11")) {
            Etcdctl.run(url, "put", "foo", "j1"); // revision 11
            watch.await(out -> events(out) >= 1);
            Etcdctl.run(url, "put", "foo", "j2");
            watch.await(out -> events(out) >= 2);
            return watch.kill();
        }
    }

    private static int events(final String output) {
        return count(SIMPLE_EVENT.matcher(output)) + count(JSON_EVENT.matcher(output));
    }

    private static int count(final Matcher matcher) {
        int found = 0;
        while (matcher.find()) {
            found++;
        }
        return found;
    }
}
