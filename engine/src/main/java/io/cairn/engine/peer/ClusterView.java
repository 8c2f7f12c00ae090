package io.cairn.engine.peer;

import io.cairn.engine.cluster.Member;
import java.util.List;
import java.util.Set;

/**
 * What a running member tells a peer about its cluster: the cluster id, the members (learners
 * included, each with the name and client URLs it published, if it has started), and the ids of
 * members removed so far (a removed member that restarts must not rejoin under its old id).
 */
public record ClusterView(long clusterId, List<Member> members, Set<Long> removedIds) {
    public ClusterView {
        members = List.copyOf(members);
        removedIds = Set.copyOf(removedIds);
    }
}
