package io.cairn.chaos.net;

import java.util.ArrayList;
import java.util.List;

/**
 * The iproute2 commands the lab needs, in the root namespace or inside a member's. Deletions are
 * "if present": cleanup runs after failures and twice, and a thing already gone is not an error.
 */
final class Ip {
    private Ip() {
    }

    /** Prefixes {@code argv} so that it runs inside {@code namespace}. */
    static List<String> inNamespace(final String namespace, final List<String> argv) {
        final List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        command.addAll(argv);
        return List.copyOf(command);
    }

    static void run(final String... argv) {
        Commands.run(ip(argv));
    }

    static void runIn(final String namespace, final String... argv) {
        Commands.run(inNamespace(namespace, ip(argv)));
    }

    /** Names of the network namespaces {@code ip netns} knows. */
    static List<String> namespaces() {
        // Lines look like "name" or "name (id: 3)".
        return Commands.run(List.of("ip", "netns", "list")).stdout().lines()
            .map(String::strip)
            .filter(line -> !line.isEmpty())
            .map(line -> line.split("\\s+", 2)[0])
            .toList();
    }

    /** Names of the root namespace's network interfaces. */
    static List<String> links() {
        // Lines look like "7: name@if2: <BROADCAST,...> ..."; the "@peer" part is not in the name.
        return Commands.run(List.of("ip", "-o", "link", "show")).stdout().lines()
            .map(line -> line.split(":\\s*", 3))
            .filter(fields -> fields.length >= 2)
            .map(fields -> fields[1].split("@", 2)[0])
            .toList();
    }

    /** Root-namespace interfaces that hold an IPv4 address inside {@code cidr}, as "name address". */
    static List<String> addressesWithin(final String cidr) {
        return Commands.run(List.of("ip", "-o", "-4", "addr", "show", "to", cidr)).stdout().lines()
            .map(line -> line.split("\\s+"))
            .filter(fields -> fields.length >= 4)
            .map(fields -> fields[1] + " " + fields[3])
            .toList();
    }

    /** The line {@code ip route get} prints for {@code address}, optionally inside a namespace. */
    static String routeTo(final String namespace, final String address) {
        final List<String> argv = List.of("ip", "-4", "route", "get", address);
        return Commands.run(namespace == null ? argv : inNamespace(namespace, argv)).stdout().strip();
    }

    static void deleteLinkIfPresent(final String name) {
        if (links().contains(name)) {
            run("link", "del", name);
        }
    }

    static void deleteNamespaceIfPresent(final String name) {
        if (namespaces().contains(name)) {
            run("netns", "del", name);
        }
    }

    private static List<String> ip(final String... argv) {
        final List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(argv));
        return command;
    }
}
