package io.cairn.engine.node;

import io.cairn.engine.cluster.InitialMembers;
import io.cairn.engine.cluster.Member;
import io.cairn.engine.cluster.MemberIds;
import io.cairn.transport.FaultPlan;
import io.cairn.transport.PeerTls;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a member stands in its cluster, from etcd's flags.
 *
 * @param name           --name
 * @param initial        --initial-cluster and its token: used only when the data dir is new
 * @param clientUrls     --advertise-client-urls, published for `member list`
 * @param listenPeerUrl  --listen-peer-urls (the first), where peers' frames arrive
 * @param aeronDir       the transport's media driver directory; null for the default under /dev/shm
 * @param messageFaults  tests only: faults applied to the Raft frames this member receives (partitions, delays);
 *                       null (always outside tests) for none
 * @param peerTls        TLS between peers (https peer URLs); null for none
 * @param snapshotsOverTcp snapshots go to peers as HTTP requests on their peer URL, which this member's peer
 *                       listener must then serve too ({@code Main} does; in-process test clusters have no
 *                       listener and use the Aeron stream)
 */
public record ClusterOptions(String name, InitialMembers initial, List<String> clientUrls, String listenPeerUrl,
                             Path aeronDir, FaultPlan messageFaults, PeerTls peerTls, boolean snapshotsOverTcp) {
    public ClusterOptions {
        clientUrls = List.copyOf(clientUrls);
    }

    /** Without peer TLS. */
    public ClusterOptions(final String name, final InitialMembers initial, final List<String> clientUrls,
        final String listenPeerUrl, final Path aeronDir, final FaultPlan messageFaults) {
        this(name, initial, clientUrls, listenPeerUrl, aeronDir, messageFaults, null, false);
    }

    public ClusterOptions withPeerTls(final PeerTls value) {
        return new ClusterOptions(name, initial, clientUrls, listenPeerUrl, aeronDir, messageFaults, value,
            snapshotsOverTcp);
    }

    public ClusterOptions withSnapshotsOverTcp(final boolean value) {
        return new ClusterOptions(name, initial, clientUrls, listenPeerUrl, aeronDir, messageFaults, peerTls, value);
    }

    /** A member alone in its cluster (tests, and `bin/cairn` without --initial-cluster peers). */
    public static ClusterOptions single(final long memberId) {
        return new ClusterOptions("default", new InitialMembers(MemberIds.clusterId(List.of(memberId)),
            List.of(new Member(memberId, "default", List.of("http://localhost:2380"), List.of(), false))),
            List.of("http://localhost:2379"), "http://localhost:2380", null, null);
    }
}
