package io.cairn.engine.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The --initial-cluster value: member name to its peer URLs, in the order given. */
public record InitialCluster(Map<String, List<URI>> peerUrlsByName) {
    private static final int MEMBERS_MAX = 64;

    public InitialCluster {
        peerUrlsByName = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(peerUrlsByName));
    }

    /** Parses "a=http://10.0.0.1:2380,b=http://10.0.0.2:2380" (a name may repeat to list several URLs). */
    public static InitialCluster parse(final String text) {
        final Map<String, List<URI>> members = new LinkedHashMap<>();
        final String[] entries = text.split(",", -1);
        if (entries.length > MEMBERS_MAX * 4) {
            throw new IllegalArgumentException("--initial-cluster lists too many URLs (" + entries.length + ")");
        }
        for (final String entry : entries) {
            final int equals = entry.indexOf('=');
            if (equals <= 0 || equals == entry.length() - 1) {
                throw new IllegalArgumentException(
                    "--initial-cluster: \"" + entry + "\" is not name=URL (in \"" + text + "\")");
            }
            final String name = entry.substring(0, equals).trim();
            final URI url = UrlList.parseOne("--initial-cluster", entry.substring(equals + 1).trim());
            members.computeIfAbsent(name, n -> new ArrayList<>()).add(url);
        }
        if (members.size() > MEMBERS_MAX) {
            throw new IllegalArgumentException("--initial-cluster lists more than " + MEMBERS_MAX + " members");
        }
        members.replaceAll((name, urls) -> List.copyOf(urls));
        return new InitialCluster(members);
    }
}
