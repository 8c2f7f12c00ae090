package io.cairn.bench.load;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code --endpoints} entry: a lone server ({@code http://127.0.0.1:2379}) or a cluster, its
 * members' URLs joined by {@code +} ({@code http://127.0.0.1:2379+http://127.0.0.1:22379+...}).
 * A cluster's connections go to its members round-robin, connection i to member i mod members, as
 * etcd's benchmark tool spreads {@code --conns} over {@code --endpoints a,b,c}.
 */
public record EndpointGroup(String entry, List<String> members) {
    public static final String MEMBER_SEPARATOR = "+";

    public EndpointGroup {
        members = List.copyOf(members);
        if (members.isEmpty()) {
            throw new IllegalArgumentException("an endpoint entry needs at least one member: " + entry);
        }
    }

    /** Parses an entry; every member must have a host and a port. */
    public static EndpointGroup parse(final String entry) {
        final List<String> members = new ArrayList<>();
        for (final String member : entry.split("\\+", -1)) {
            final String trimmed = member.trim();
            if (trimmed.isEmpty()) {
                throw new IllegalArgumentException("empty member in endpoint entry: " + entry);
            }
            url(trimmed);
            members.add(trimmed);
        }
        return new EndpointGroup(entry, members);
    }

    /** A member's URL ("http://host:port" or "host:port"). */
    static URI url(final String member) {
        final URI url = URI.create(member.contains("://") ? member : "http://" + member);
        if (url.getHost() == null || url.getPort() < 1) {
            throw new IllegalArgumentException("endpoint needs host and port: " + member);
        }
        return url;
    }

    public boolean isCluster() {
        return members.size() > 1;
    }

    /** The member connection {@code connection} goes to: round-robin over the members. */
    public String memberOf(final int connection) {
        return members.get(connection % members.size());
    }

    /** In tables and file names: a lone server as given, a cluster as "3 members @2379" (its first member's port). */
    public String label() {
        return isCluster() ? members.size() + " members @" + url(members.get(0)).getPort() : entry;
    }

    /** "3 members @2379: http://127.0.0.1:2379 http://127.0.0.1:22379 ..." for a cluster. */
    public String describe() {
        return label() + ": " + String.join(" ", members);
    }
}
