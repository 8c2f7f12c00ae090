package io.cairn.engine.metrics;

import io.cairn.engine.node.KeyValueStore;
import io.cairn.engine.node.MemberStatus;
import io.cairn.engine.node.NodeMetrics;
import io.cairn.engine.node.PeerCounters;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The member's own figures under etcd 3.4's names (etcdserver, wal, backend and mvcc metrics),
 * read from the store when scraped. etcd exports some totals as gauges (the proposal indexes, the
 * WAL's bytes); they keep etcd's types here, since its dashboards and alerts query them as such.
 */
public final class MemberMetrics {
    /** etcd's disk latency buckets: 1 ms doubling up to 8.192 s. */
    private static final double[] DISK_BUCKETS_SECONDS = HdrHistogramCollector.doubling(0.001, 14);
    /** etcd's: 0.1 ms to 0.8192 s. */
    private static final double[] PEER_RTT_BUCKETS_SECONDS = HdrHistogramCollector.doubling(0.0001, 14);
    /** etcd's: 100 ms to 409.6 s. */
    private static final double[] DEFRAG_BUCKETS_SECONDS = HdrHistogramCollector.doubling(0.1, 13);
    private static final double[] GROUP_SIZE_BUCKETS = HdrHistogramCollector.doubling(1, 14);

    private MemberMetrics() {
    }

    /**
     * Registers the member's metrics.
     *
     * @param etcdVersion        the etcd release Cairn answers as (Status, /version)
     * @param quotaBackendBytes  --quota-backend-bytes as in force
     */
    public static void register(final PrometheusRegistry registry, final KeyValueStore store, final String etcdVersion,
        final String clusterVersion, final long quotaBackendBytes) {
        final NodeMetrics node = store.metrics();
        final long memberId = store.status().memberId();
        status(registry, store, "etcd_server_has_leader",
            "Whether or not a leader exists. 1 is existence, 0 is not.", s -> s.leaderId() != 0 ? 1 : 0);
        status(registry, store, "etcd_server_is_leader",
            "Whether or not this member is a leader. 1 if is, 0 otherwise.", s -> s.isLeader() ? 1 : 0);
        status(registry, store, "etcd_server_is_learner",
            "Whether or not this member is a learner. 1 if is, 0 otherwise.", s -> s.learner() ? 1 : 0);
        status(registry, store, "etcd_server_proposals_committed_total",
            "The total number of consensus proposals committed.", MemberStatus::raftIndex);
        status(registry, store, "etcd_server_proposals_applied_total",
            "The total number of consensus proposals applied.", MemberStatus::appliedIndex);
        GaugeWithCallback.builder().name("etcd_server_proposals_pending")
            .help("The current number of pending proposals to commit.")
            .callback(cb -> cb.call(node.proposalsPending())).register(registry);
        CounterWithCallback.builder().name("etcd_server_proposals_failed_total")
            .help("The total number of failed proposals seen.")
            .callback(cb -> cb.call(node.proposalsFailed())).register(registry);
        CounterWithCallback.builder().name("etcd_server_leader_changes_seen_total")
            .help("The number of leader changes seen.")
            .callback(cb -> cb.call(node.leaderChanges())).register(registry);
        constant(registry, "etcd_server_id", "Server or member ID in hexadecimal format. 1 for 'server_id' label "
            + "with current ID.", "server_id", Long.toHexString(memberId));
        constant(registry, "etcd_server_version", "Which version is running. 1 for 'server_version' label with "
            + "current version.", "server_version", etcdVersion);
        constant(registry, "etcd_cluster_version", "Which version is running. 1 for 'cluster_version' label with "
            + "current cluster version", "cluster_version", clusterVersion);
        GaugeWithCallback.builder().name("etcd_server_quota_backend_bytes")
            .help("Current backend storage quota size in bytes.")
            .callback(cb -> cb.call(quotaBackendBytes)).register(registry);

        registry.register(HdrHistogramCollector.seconds("etcd_disk_wal_fsync_duration_seconds",
            "The latency distributions of fsync called by WAL.", DISK_BUCKETS_SECONDS,
            () -> node.wal().syncLatencyNanos()));
        GaugeWithCallback.builder().name("etcd_disk_wal_write_bytes_total")
            .help("Total number of bytes written in WAL.")
            .callback(cb -> cb.call(node.wal().bytesWritten())).register(registry);
        registry.register(HdrHistogramCollector.seconds("etcd_disk_backend_commit_duration_seconds",
            "The latency distributions of commit called by backend.", DISK_BUCKETS_SECONDS, node::backendSyncNanos));

        registry.register(HdrHistogramCollector.secondsBy("etcd_network_peer_round_trip_time_seconds",
            "Round-Trip-Time histogram between peers", PEER_RTT_BUCKETS_SECONDS, "To", node::peerRoundTripNanos));
        registry.register(HdrHistogramCollector.seconds("etcd_disk_backend_defrag_duration_seconds",
            "The latency distribution of backend defragmentation.", DEFRAG_BUCKETS_SECONDS, node::defragNanos));
        GaugeWithCallback.builder().name("etcd_disk_defrag_inflight").help("Whether or not defrag is active.")
            .callback(cb -> cb.call(node.defragsInFlight())).register(registry);

        final String dbSizeHelp = "Total size of the underlying database physically allocated in bytes.";
        GaugeWithCallback.builder().name("etcd_mvcc_db_total_size_in_bytes").help(dbSizeHelp)
            .callback(cb -> cb.call(store.backendSizeBytes())).register(registry);
        GaugeWithCallback.builder().name("etcd_debugging_mvcc_db_total_size_in_bytes").help(dbSizeHelp)
            .callback(cb -> cb.call(store.backendSizeBytes())).register(registry);
        GaugeWithCallback.builder().name("etcd_mvcc_db_total_size_in_use_in_bytes")
            .help("Total size of the underlying database logically in use in bytes.")
            .callback(cb -> cb.call(store.backendSizeInUseBytes())).register(registry);
        GaugeWithCallback.builder().name("etcd_debugging_mvcc_current_revision")
            .help("The current revision of store.")
            .callback(cb -> cb.call(store.currentRevision())).register(registry);

        registry.register(HdrHistogramCollector.counts("cairn_wal_write_records",
            "Records per WAL write: the group commit's batch size.", GROUP_SIZE_BUCKETS,
            () -> node.wal().writeSizeRecords()));
        peerCounter(registry, "cairn_peer_messages_sent_total", "Raft messages handed to the peer transport.",
            node, PeerCounters::messagesSent);
        peerCounter(registry, "cairn_peer_messages_received_total", "Raft messages received from peers.",
            node, PeerCounters::messagesReceived);
        peerCounter(registry, "cairn_peer_send_back_pressured_total",
            "Raft messages Aeron refused because a peer's buffer was full (Raft sends them again).",
            node, PeerCounters::sendBackPressured);
        peerCounter(registry, "cairn_peer_send_not_connected_total",
            "Raft messages Aeron refused because a peer was not connected.", node, PeerCounters::sendNotConnected);
        peerCounter(registry, "cairn_peer_send_refused_other_total",
            "Raft messages the transport refused otherwise: an unusable publication, too large, an unknown peer,"
                + " no TLS session yet.", node, PeerCounters::sendRefusedOther);
        peerCounter(registry, "cairn_peer_snapshots_sent_total", "Snapshots sent to lagging peers.",
            node, PeerCounters::snapshotsSent);
        peerCounter(registry, "cairn_peer_snapshots_received_total", "Snapshots received from the leader.",
            node, PeerCounters::snapshotsReceived);
        peerCounter(registry, "cairn_peer_snapshots_failed_total", "Snapshot transfers that failed.",
            node, PeerCounters::snapshotsFailed);
        CounterWithCallback.builder().name("cairn_wal_writes_total")
            .help("WAL writes, each made durable by one fdatasync (or one O_DSYNC write).")
            .callback(cb -> cb.call(node.wal().writes())).register(registry);
    }

    private static void status(final PrometheusRegistry registry, final KeyValueStore store, final String name,
        final String help, final ToDoubleFunction<MemberStatus> value) {
        GaugeWithCallback.builder().name(name).help(help)
            .callback(cb -> cb.call(value.applyAsDouble(store.status()))).register(registry);
    }

    /** etcd's "info" gauges: always 1, the information in one label. */
    private static void constant(final PrometheusRegistry registry, final String name, final String help,
        final String label, final String value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames(label)
            .callback(cb -> cb.call(1, value)).register(registry);
    }

    /** A counter read from the peer transport's counters at scrape time. */
    private static void peerCounter(final PrometheusRegistry registry, final String name, final String help,
        final NodeMetrics node, final ToLongFunction<PeerCounters> value) {
        CounterWithCallback.builder().name(name).help(help)
            .callback(cb -> cb.call(value.applyAsLong(node.peers()))).register(registry);
    }
}
