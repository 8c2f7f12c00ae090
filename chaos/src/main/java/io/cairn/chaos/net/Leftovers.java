package io.cairn.chaos.net;

import java.util.ArrayList;
import java.util.List;

/**
 * Removes what an earlier run with the same prefix left behind (a killed JVM runs no cleanup): its
 * root-side veths, namespaces and bridge, whatever member count that run had.
 */
final class Leftovers {
    private Leftovers() {
    }

    static void remove(final LabNames names) {
        // Veths first: deleting a namespace frees its devices only asynchronously, deleting a veth end
        // removes the pair at once.
        for (final String link : Ip.links()) {
            if (names.isRootVeth(link)) {
                Ip.deleteLinkIfPresent(link);
            }
        }
        for (final String namespace : Ip.namespaces()) {
            if (names.isNamespace(namespace)) {
                Ip.deleteNamespaceIfPresent(namespace);
            }
        }
        Ip.deleteLinkIfPresent(names.bridge());
        final List<String> remaining = find(names);
        if (!remaining.isEmpty()) {
            throw new IllegalStateException("leftovers of prefix " + names.prefix() + " survived removal: " + remaining);
        }
    }

    /** What exists now under this prefix, in the root namespace's links and in {@code ip netns}. */
    static List<String> find(final LabNames names) {
        final List<String> found = new ArrayList<>();
        for (final String link : Ip.links()) {
            if (names.isRootVeth(link) || link.equals(names.bridge())) {
                found.add("link " + link);
            }
        }
        for (final String namespace : Ip.namespaces()) {
            if (names.isNamespace(namespace)) {
                found.add("netns " + namespace);
            }
        }
        return found;
    }
}
