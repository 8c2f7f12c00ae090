package io.cairn.transport;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The value of etcd's {@code --initial-cluster}: {@code name=http://host:port} pairs separated by commas; a member
 * with several peer URLs appears once per URL. Member ids are derived from these URLs by the engine (etcd's rule);
 * this class only reads the flag.
 */
public record InitialCluster(Map<String, List<PeerUrl>> urlsByName) {
    public InitialCluster {
        urlsByName = Collections.unmodifiableMap(new LinkedHashMap<>(urlsByName));
    }

    public static InitialCluster parse(final String flagValue) {
        final Map<String, List<PeerUrl>> urls = new LinkedHashMap<>();
        for (final String pair : flagValue.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            final int equals = pair.indexOf('=');
            if (equals <= 0 || equals == pair.length() - 1) {
                throw new IllegalArgumentException("--initial-cluster: expected name=http://host:port, got '" + pair + "'");
            }
            final String name = pair.substring(0, equals).trim();
            urls.computeIfAbsent(name, n -> new ArrayList<>()).add(PeerUrl.parse(pair.substring(equals + 1)));
        }
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("--initial-cluster is empty");
        }
        urls.replaceAll((name, list) -> List.copyOf(list));
        return new InitialCluster(urls);
    }

    /** The URL the transport sends to: a member's first peer URL (Aeron needs one endpoint per publication). */
    public PeerUrl primaryUrl(final String name) {
        final List<PeerUrl> urls = urlsByName.get(name);
        if (urls == null) {
            throw new IllegalArgumentException("--initial-cluster has no member named " + name);
        }
        return urls.get(0);
    }
}
