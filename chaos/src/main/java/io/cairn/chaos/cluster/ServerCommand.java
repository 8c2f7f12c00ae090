package io.cairn.chaos.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How to start one etcd-compatible server: the argv before etcd's flags. The harness passes both
 * servers the same flags, so Debian etcd validates the checks on a system meant to be correct.
 *
 * @param name what reports call it ("etcd", "cairn")
 * @param argv the program and any arguments that come before etcd's flags
 */
public record ServerCommand(String name, List<String> argv) {
    public ServerCommand {
        argv = List.copyOf(argv);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("no program to run for " + name);
        }
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
        return new ServerCommand("cairn", List.of(launcher.toString()));
    }
}
