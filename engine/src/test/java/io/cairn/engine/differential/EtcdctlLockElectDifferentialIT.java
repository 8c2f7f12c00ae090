package io.cairn.engine.differential;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.testing.Await;
import io.cairn.engine.testing.Etcdctl;
import io.cairn.engine.testing.EtcdctlSession;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.SideBySide;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * etcdctl's lock and elect (clientv3/concurrency run by the client over KV, Lease and Watch)
 * against Debian etcd and against Cairn: a second locker and a second candidate wait for the
 * first, an observer follows the leader, and everything prints the same once lease ids are masked.
 */
public class EtcdctlLockElectDifferentialIT {
    private static final long AWAIT_SECONDS = 20;

    @Test
    void lockAndElectPrintTheSameAgainstBoth() throws Exception {
        SideBySide.assertSame(EtcdctlLockElectDifferentialIT::scenario, i -> "output " + i);
    }

    private static List<String> scenario(final ServerProcess.Kind kind, final int clientPort, final int peerPort)
        throws Exception {
        try (ServerProcess server = ServerProcess.start(kind, clientPort, peerPort)) {
            return scenarioOn(server.clientUrl());
        }
    }

    /** The lockers, candidates and observer, all through the member at {@code url}; what they print. */
    public static List<String> scenarioOn(final String url) throws Exception {
        final List<String> out = new ArrayList<>();
        {
            out.add(masked(Etcdctl.run(url, "lock", "once", "echo", "held-and-released")));

            try (EtcdctlSession first = EtcdctlSession.start(url, "lock", "mylock")) {
                first.await(output -> output.contains("mylock/"));
                try (EtcdctlSession second = EtcdctlSession.start(url, "lock", "mylock", "echo", "second-got-it")) {
                    Await.until(() -> keysUnder(url, "mylock/") == 2, AWAIT_SECONDS, "the second locker's key");
                    out.add(masked(Etcdctl.run(url, "get", "mylock/", "--prefix", "--keys-only")));
                    first.interrupt();
                    out.add(masked(first.endInput()));
                    out.add(masked(second.endInput()));
                }
            }
            out.add(masked(Etcdctl.run(url, "get", "mylock/", "--prefix", "--keys-only")));

            try (EtcdctlSession leader = EtcdctlSession.start(url, "elect", "myelection", "v1")) {
                leader.await(output -> output.contains("v1\n"));
                try (EtcdctlSession observer = EtcdctlSession.start(url, "elect", "-l", "myelection");
                     EtcdctlSession candidate = EtcdctlSession.start(url, "elect", "myelection", "v2")) {
                    observer.await(output -> output.contains("v1\n"));
                    Await.until(() -> keysUnder(url, "myelection/") == 2, AWAIT_SECONDS, "the candidate's key");
                    leader.interrupt();
                    out.add(masked(leader.endInput()));
                    candidate.await(output -> output.contains("v2\n"));
                    observer.await(output -> output.contains("v2\n"));
                    out.add(masked(candidate.interruptAndCollect()));
                    out.add(masked(observer.interruptAndCollect()));
                }
            }
        }
        assertTrue(out.size() >= 8, out.toString());
        return out;
    }

    private static long keysUnder(final String url, final String prefix) {
        try {
            return Etcdctl.run(url, "get", prefix, "--prefix", "--keys-only").lines()
                .filter(line -> line.startsWith(prefix)).count();
        } catch (final java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Lease ids (each server picks its own) in lock and election keys become {lease}. */
    private static String masked(final String output) {
        return output.replaceAll("(mylock|myelection|once)/[0-9a-f]+", "$1/{lease}");
    }
}
