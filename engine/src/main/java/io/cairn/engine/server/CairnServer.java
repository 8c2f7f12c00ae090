package io.cairn.engine.server;

import io.cairn.engine.node.KeyValueStore;
import io.cairn.engine.node.MemberStatus;
import io.cairn.engine.cluster.RequestIds;
import io.cairn.engine.config.ServerConfig;
import io.cairn.engine.mvcc.History;
import io.cairn.engine.watch.HistorySource;
import io.cairn.engine.watch.WatchHub;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** The client-facing gRPC servers, one per --listen-client-urls entry, sharing one set of services. */
public final class CairnServer implements AutoCloseable {
    /** Room gRPC allows above --max-request-bytes so an oversized request gets etcd's own error. */
    private static final int GRPC_OVERHEAD_BYTES = 512 * 1024;
    private static final long SHUTDOWN_GRACE_MILLIS = 5_000;

    private final List<Server> servers;
    private final ScanExecutor scans;
    private final WatchHub watches;

    private CairnServer(final List<Server> servers, final ScanExecutor scans, final WatchHub watches) {
        this.servers = servers;
        this.scans = scans;
        this.watches = watches;
    }

    public static CairnServer start(final ServerConfig config, final KeyValueStore store) throws IOException {
        // The data dir's identity: on a restart it is the stored one, whatever the flags say now.
        final MemberStatus self = store.status();
        final long memberId = self.memberId();
        final ResponseHeaders headers = new ResponseHeaders(self.clusterId(), memberId, store::raftTerm);
        final Alarms alarms = new Alarms();
        final BackendQuota quota = new BackendQuota(config.quotaBackendBytes());
        final List<Server> servers = new ArrayList<>();
        final ScanExecutor scans = new ScanExecutor(Math.max(2, Runtime.getRuntime().availableProcessors()));
        final WatchHub watches = startWatchHub(store, headers, WatchHub.Settings.defaults(
            // etcd's watch server fragments at the request limit plus the same allowance.
            config.maxRequestBytes() + GRPC_OVERHEAD_BYTES));
        try {
            for (final URI url : config.listenClientUrls()) {
                servers.add(NettyServerBuilder.forAddress(new InetSocketAddress(url.getHost(), url.getPort()))
                    .maxInboundMessageSize((int)config.maxRequestBytes() + GRPC_OVERHEAD_BYTES)
                    // Handlers run on the event loop that read the request; see ScanExecutor for why.
                    .directExecutor()
                    .addService(new KvService(store, headers,
                        new RequestSizeLimit(config.maxRequestBytes(), RequestIds.largestFor(memberId)),
                        config.maxTxnOps(), quota, alarms, scans))
                    .addService(new MaintenanceService(store, headers, alarms))
                    .addService(new LeaseService(store, headers))
                    .addService(new LockService(store, headers, scans))
                    .addService(new ElectionService(store, headers, scans))
                    .addService(new WatchService(watches, headers))
                    .addService(new ClusterService(store, headers))
                    .build()
                    .start());
            }
        } catch (final IOException e) {
            servers.forEach(Server::shutdownNow);
            scans.close();
            watches.close();
            throw new IOException("cannot listen for clients: " + e.getMessage(), e);
        }
        return new CairnServer(servers, scans, watches);
    }

    /** The watch thread, told of every commit from now on (listening first, so no revision slips by). */
    public static WatchHub startWatchHub(final KeyValueStore store, final ResponseHeaders headers,
        final WatchHub.Settings settings) {
        final WatchHub hub = new WatchHub(new HistorySource() {
            @Override
            public <T> T read(final Function<History, T> reader) {
                return store.readHistory(reader);
            }
        }, new WatchProtos(headers), settings);
        store.onRevisionCommitted(hub::revisionCommitted);
        hub.start();
        return hub;
    }

    /** TESTS ONLY: see {@link WatchHub#plantBugSkipEventUnderLoad}. */
    public void plantBugWatchSkipsEventUnderLoad() {
        watches.plantBugSkipEventUnderLoad();
    }

    public void awaitTermination() throws InterruptedException {
        for (final Server server : servers) {
            server.awaitTermination();
        }
    }

    /** Lets calls in flight finish for a moment, then cuts the rest. */
    @Override
    public void close() {
        watches.close();
        servers.forEach(Server::shutdown);
        try {
            for (final Server server : servers) {
                if (!server.awaitTermination(SHUTDOWN_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                    server.shutdownNow();
                }
            }
        } catch (final InterruptedException e) {
            servers.forEach(Server::shutdownNow);
            Thread.currentThread().interrupt();
        }
        scans.close();
    }
}
