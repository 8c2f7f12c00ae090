package io.cairn.engine.cluster;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A new cluster's members and ids as --initial-cluster and --initial-cluster-token define them,
 * computed exactly as etcd computes them (see {@link MemberIds}), so every member started with the
 * same flags derives the same first log entries and the ids etcd would report.
 */
public record InitialMembers(long clusterId, List<Member> members, boolean joining) {
    public InitialMembers {
        members = List.copyOf(members);
    }

    /** A new cluster's members. */
    public InitialMembers(final long clusterId, final List<Member> members) {
        this(clusterId, members, false);
    }

    /**
     * A member joining a running cluster (--initial-cluster-state existing, after `member add`): the
     * cluster's id and members as a running member told them, with their ids. The new member writes
     * no first entries of its own: the leader sends it the log (or a snapshot), membership included.
     */
    public static InitialMembers joining(final long clusterId, final List<Member> members) {
        return new InitialMembers(clusterId, members, true);
    }

    /**
     * @param peerUrlsByName --initial-cluster: name -> that member's peer URLs
     * @param selfName       --name, which must be one of them
     * @param selfPeerUrls   --initial-advertise-peer-urls, which must equal the URLs listed for selfName
     */
    public static InitialMembers of(final Map<String, List<URI>> peerUrlsByName, final String token,
        final String selfName, final List<URI> selfPeerUrls) {
        final List<URI> listed = peerUrlsByName.get(selfName);
        if (listed == null) {
            throw new IllegalArgumentException("couldn't find local name \"" + selfName
                + "\" in the initial cluster configuration");
        }
        if (!sortedStrings(listed).equals(sortedStrings(selfPeerUrls))) {
            throw new IllegalArgumentException("--initial-cluster has " + selfName + "=" + sortedStrings(listed)
                + " but missing from --initial-advertise-peer-urls=" + sortedStrings(selfPeerUrls));
        }
        final List<Member> members = new ArrayList<>();
        for (final Map.Entry<String, List<URI>> entry : peerUrlsByName.entrySet()) {
            final long id = MemberIds.memberId(entry.getValue(), token);
            members.add(new Member(id, entry.getKey(), sortedStrings(entry.getValue()), List.of(), false));
        }
        members.sort(Comparator.comparing(Member::id, Long::compareUnsigned));
        for (int i = 1; i < members.size(); i++) {
            if (members.get(i).id() == members.get(i - 1).id()) {
                throw new IllegalArgumentException("--initial-cluster lists the same peer URLs under two names: "
                    + members.get(i - 1).name() + " and " + members.get(i).name());
            }
        }
        return new InitialMembers(MemberIds.clusterId(members.stream().map(Member::id).toList()), members);
    }

    public long idOf(final String name) {
        return members.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow().id();
    }

    private static List<String> sortedStrings(final List<URI> urls) {
        return urls.stream().map(URI::toString).sorted().toList();
    }
}
