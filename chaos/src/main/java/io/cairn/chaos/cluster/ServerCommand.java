package io.cairn.chaos.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How to start one etcd-compatible server: the argv before etcd's flags. The harness passes both
 * servers the same flags, so Debian etcd validates the checks on a system meant to be correct.
 *
 * @param name          what reports call it ("etcd", "cairn")
 * @param argv          the program and any arguments that come before etcd's flags
 * @param environment   added to the harness's own for every member
 * @param storageFaults whether members take the storage fault layer's commands (Cairn's test-only
 *                      {@code CAIRN_TEST_FAULT_CONTROL}): slow fdatasync, power cuts
 */
public record ServerCommand(String name, List<String> argv, Map<String, String> environment, boolean storageFaults) {
    /** Cairn's test-only switch for bugs planted on purpose (engine's testfaults.PlantedBug). */
    public static final String PLANTED_BUG_ENVIRONMENT = "CAIRN_TEST_PLANTED_BUG";
    /** Cairn's test-only control file of its storage fault layer (engine's testfaults.StorageFaultControl). */
    public static final String FAULT_CONTROL_ENVIRONMENT = "CAIRN_TEST_FAULT_CONTROL";

    public ServerCommand {
        argv = List.copyOf(argv);
        environment = Map.copyOf(environment);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("no program to run for " + name);
        }
    }

    /** A server without the storage fault layer and with no added environment. */
    public ServerCommand(final String name, final List<String> argv) {
        this(name, argv, Map.of(), false);
    }

    /** Cairn members with a bug planted on purpose, e.g. "follower-reads-skip-read-index". */
    public ServerCommand withPlantedBug(final String bug) {
        if (!storageFaults) {
            throw new IllegalArgumentException(name + " has no planted bugs");
        }
        final Map<String, String> planted = new HashMap<>(environment);
        planted.put(PLANTED_BUG_ENVIRONMENT, bug);
        return new ServerCommand(name + " with " + bug, argv, planted, storageFaults);
    }

    /** Debian's etcd (package etcd-server). */
    public static ServerCommand etcd() {
        for (final String candidate : List.of("/usr/bin/etcd", "/usr/local/bin/etcd")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return new ServerCommand("etcd", List.of(candidate));
            }
        }
        throw new IllegalStateException("etcd is not installed: apt-get install etcd-server (.ci/run does)");
    }

    /** Cairn as operators start it: {@code bin/cairn} of the checkout at {@code home}. */
    public static ServerCommand cairn(final Path home) {
        final Path launcher = home.resolve("bin").resolve("cairn");
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException(launcher + " is not there: pass the Cairn checkout with --cairn-home");
        }
        return new ServerCommand("cairn", List.of(launcher.toString()), Map.of(), true);
    }
}
