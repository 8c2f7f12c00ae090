package io.cairn.engine;

import io.cairn.engine.cluster.InitialMembers;
import io.cairn.engine.cluster.Member;
import io.cairn.engine.config.ServerConfig;
import io.cairn.engine.peer.ClusterView;
import io.cairn.engine.peer.JoinCheck;
import io.cairn.engine.peer.RemoteCluster;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * A new member of a running cluster (--initial-cluster-state existing on an empty data dir, after
 * `member add`), as etcd 3.4 starts one: it asks the other members of --initial-cluster at their
 * peer URLs for the cluster ({@code GET /members}), checks that --initial-cluster lists exactly its
 * members (etcd's ValidateClusterAndAssignIDs), and takes the cluster id and every member id from
 * the answer: `member add` gave this member an id its flags cannot derive.
 */
final class ClusterJoin {
    /** etcd's timeout for each peer asked. */
    private static final Duration TIMEOUT_PER_PEER = Duration.ofSeconds(10);

    private ClusterJoin() {
    }

    /**
     * @param peerTls the peer TLS context, for https peer URLs; null for http
     * @throws IOException when no member answered
     * @throws IllegalArgumentException with etcd's words when the answer and the flags disagree
     */
    static InitialMembers join(final ServerConfig config, final SSLContext peerTls) throws IOException {
        final Map<String, List<URI>> initialCluster = config.bootstrap().initialCluster().peerUrlsByName();
        final List<URI> others = new ArrayList<>();
        initialCluster.forEach((name, urls) -> {
            if (!name.equals(config.name())) {
                others.addAll(urls);
            }
        });
        if (!initialCluster.containsKey(config.name())) {
            throw new IllegalArgumentException("couldn't find local name \"" + config.name()
                + "\" in the initial cluster configuration");
        }
        final ClusterView running = RemoteCluster.fetch(others, peerTls, TIMEOUT_PER_PEER);
        final Map<String, Long> ids;
        try {
            ids = JoinCheck.assignIds(initialCluster, running);
        } catch (final IllegalArgumentException mismatch) {
            throw new IllegalArgumentException("error validating peerURLs " + describe(running) + ": "
                + mismatch.getMessage(), mismatch);
        }
        final long selfId = ids.get(config.name());
        final List<Member> members = new ArrayList<>();
        for (final Member member : running.members()) {
            if (member.id() != selfId) {
                members.add(member);
            } else if (!member.clientUrls().isEmpty()) {
                // It published itself once: its data dir was lost, and a member never starts twice.
                throw new IllegalArgumentException("member " + Long.toHexString(selfId) + " has already been "
                    + "bootstrapped");
            } else {
                members.add(new Member(selfId, config.name(), member.peerUrls(), List.of(), member.learner()));
            }
        }
        return InitialMembers.joining(running.clusterId(), members);
    }

    private static String describe(final ClusterView cluster) {
        return "{ClusterID:" + Long.toHexString(cluster.clusterId()) + " Members:" + cluster.members().size() + "}";
    }
}
