package io.cairn.chaos.net;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Who can reach whom in a lab, by ICMP echo: the kernel answers a ping, so no listener process has to
 * run in each namespace, and a ping succeeds only when the request and the reply both get through.
 * Paths are named "1->2" (member 1 pings member 2), "root->1" (the root namespace, where the harness's
 * clients run, pings member 1) and "1->root" (member 1 pings the bridge address).
 */
final class Reachability {
    private static final String ROOT = "root";

    /**
     * Three requests 0.2 s apart, each answer awaited up to 1 s: one lost ARP or echo on a busy host
     * does not fail a path, and a cut path costs about 1.4 s. Every path is probed at once.
     */
    private static final List<String> PING = List.of("ping", "-n", "-q", "-c", "3", "-i", "0.2", "-W", "1");

    private Reachability() {
    }

    /** Every path among the lab's members and the root namespace. */
    static SortedSet<String> allPaths(final NetworkLab lab) {
        return new TreeSet<>(argvByPath(lab).keySet());
    }

    /** The paths on which a ping got an answer, probed concurrently. */
    static SortedSet<String> reachable(final NetworkLab lab) throws InterruptedException, ExecutionException {
        final Map<String, List<String>> argv = argvByPath(lab);
        final Map<String, Future<CommandResult>> pings = new TreeMap<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            argv.forEach((path, command) ->
                pings.put(path, executor.submit(() -> Commands.attempt(command, "", Duration.ofSeconds(10)))));
            final SortedSet<String> answered = new TreeSet<>();
            for (final Map.Entry<String, Future<CommandResult>> ping : pings.entrySet()) {
                if (ping.getValue().get().succeeded()) {
                    answered.add(ping.getKey());
                }
            }
            return answered;
        }
    }

    /** All paths but {@code cut}. */
    static SortedSet<String> allBut(final NetworkLab lab, final String... cut) {
        final SortedSet<String> paths = allPaths(lab);
        for (final String path : cut) {
            if (!paths.remove(path)) {
                throw new IllegalArgumentException("no such path: " + path);
            }
        }
        return paths;
    }

    private static Map<String, List<String>> argvByPath(final NetworkLab lab) {
        final Map<String, List<String>> argv = new TreeMap<>();
        for (int to = 1; to <= lab.members(); to++) {
            argv.put(ROOT + "->" + to, ping(lab.address(to)));
            argv.put(to + "->" + ROOT, inside(lab, to, ping(lab.bridgeAddress())));
            for (int from = 1; from <= lab.members(); from++) {
                if (from != to) {
                    argv.put(from + "->" + to, inside(lab, from, ping(lab.address(to))));
                }
            }
        }
        return argv;
    }

    private static List<String> ping(final String address) {
        final List<String> argv = new ArrayList<>(PING);
        argv.add(address);
        return argv;
    }

    private static List<String> inside(final NetworkLab lab, final int member, final List<String> argv) {
        return lab.command(member, argv.toArray(String[]::new));
    }
}
