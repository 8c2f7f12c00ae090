package io.cairn.engine.server;

import io.cairn.engine.cluster.MemberIds;
import io.cairn.engine.config.ServerConfig;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The client-facing gRPC servers, one per --listen-client-urls entry, sharing one set of services. */
public final class CairnServer implements AutoCloseable {
    /** Room gRPC allows above --max-request-bytes so an oversized request gets etcd's own error. */
    private static final int GRPC_OVERHEAD_BYTES = 512 * 1024;
    private static final long SHUTDOWN_GRACE_MILLIS = 5_000;

    private final List<Server> servers;
    private final ScanExecutor scans;

    private CairnServer(final List<Server> servers, final ScanExecutor scans) {
        this.servers = servers;
        this.scans = scans;
    }

    public static CairnServer start(final ServerConfig config, final KeyValueStore store) throws IOException {
        final long memberId = MemberIds.memberId(config.initialAdvertisePeerUrls(), config.initialClusterToken());
        final ResponseHeaders headers =
            new ResponseHeaders(MemberIds.clusterId(List.of(memberId)), memberId, store::raftTerm);
        final Alarms alarms = new Alarms();
        final BackendQuota quota = new BackendQuota(config.quotaBackendBytes());
        final List<Server> servers = new ArrayList<>();
        final ScanExecutor scans = new ScanExecutor(Math.max(2, Runtime.getRuntime().availableProcessors()));
        try {
            for (final URI url : config.listenClientUrls()) {
                servers.add(NettyServerBuilder.forAddress(new InetSocketAddress(url.getHost(), url.getPort()))
                    .maxInboundMessageSize((int)config.maxRequestBytes() + GRPC_OVERHEAD_BYTES)
                    // Handlers run on the event loop that read the request; see ScanExecutor for why.
                    .directExecutor()
                    .addService(new KvService(store, headers, config.maxRequestBytes(), config.maxTxnOps(), quota,
                        alarms, scans))
                    .addService(new MaintenanceService(store, headers, alarms))
                    .addService(new LeaseService(store, headers))
                    .addService(new LockService(store, headers, scans))
                    .addService(new ElectionService(store, headers, scans))
                    .build()
                    .start());
            }
        } catch (final IOException e) {
            servers.forEach(Server::shutdownNow);
            scans.close();
            throw new IOException("cannot listen for clients: " + e.getMessage(), e);
        }
        return new CairnServer(servers, scans);
    }

    public void awaitTermination() throws InterruptedException {
        for (final Server server : servers) {
            server.awaitTermination();
        }
    }

    /** Lets calls in flight finish for a moment, then cuts the rest. */
    @Override
    public void close() {
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
