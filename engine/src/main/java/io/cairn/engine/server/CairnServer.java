package io.cairn.engine.server;

import io.cairn.engine.auth.Passwords;
import io.cairn.engine.auth.Tokens;
import io.cairn.engine.node.KeyValueStore;
import io.cairn.engine.node.MemberStatus;
import io.cairn.engine.cluster.RequestIds;
import io.cairn.engine.config.ServerConfig;
import io.cairn.engine.config.ServerTls;
import io.cairn.engine.tls.TlsContext;
import io.cairn.engine.mvcc.History;
import io.cairn.engine.watch.HistorySource;
import io.cairn.engine.watch.WatchHub;
import io.cairn.engine.server.http.HealthCheck;
import io.cairn.engine.server.http.HttpEndpoints;
import io.cairn.engine.server.http.JsonGateway;
import io.cairn.engine.metrics.MemberMetrics;
import io.cairn.etcd.api.etcdserverpb.AlarmType;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The member's client-facing services on the ports {@link ClientListeners} opened: gRPC, the
 * JSON gateway and the HTTP endpoints, sharing one set of services.
 */
public final class CairnServer implements AutoCloseable {
    private static final long SHUTDOWN_GRACE_MILLIS = 5_000;

    private final List<Server> servers;
    private final ManagedChannel gatewayChannel;
    private final ScanExecutor scans;
    private final WatchHub watches;
    private final CorruptionCheck corruptionCheck;

    private CairnServer(final List<Server> servers, final ManagedChannel gatewayChannel, final ScanExecutor scans,
        final WatchHub watches, final CorruptionCheck corruptionCheck) {
        this.servers = servers;
        this.gatewayChannel = gatewayChannel;
        this.scans = scans;
        this.watches = watches;
        this.corruptionCheck = corruptionCheck;
    }

    /** Listens and serves at once, with the client TLS of {@code config}, read now. */
    public static CairnServer start(final ServerConfig config, final KeyValueStore store) throws IOException {
        return start(config, store, ServerTls.client(config, Clock.systemUTC()));
    }

    /**
     * Listens and serves at once; {@code clientTls} ({@link ServerTls#client}, null without client
     * TLS) serves the https URLs and dials other members' https client URLs.
     */
    public static CairnServer start(final ServerConfig config, final KeyValueStore store, final TlsContext clientTls)
        throws IOException {
        final ClientListeners listeners = ClientListeners.bind(config, clientTls);
        try {
            return start(config, store, clientTls, listeners);
        } catch (final RuntimeException e) {
            listeners.servers().forEach(Server::shutdownNow);
            throw e;
        }
    }

    /**
     * Serves on {@code listeners} (bound with the same {@code clientTls}, maybe before the store was
     * open): the calls and requests that waited there are answered from now on.
     */
    public static CairnServer start(final ServerConfig config, final KeyValueStore store, final TlsContext clientTls,
        final ClientListeners listeners) {
        // The data dir's identity: on a restart it is the stored one, whatever the flags say now.
        final MemberStatus self = store.status();
        final long memberId = self.memberId();
        final ResponseHeaders headers = new ResponseHeaders(self.clusterId(), memberId, store::raftTerm);
        final Alarms alarms = new Alarms(store);
        final BackendQuota quota = new BackendQuota(config.limits().quotaBackendBytes());
        final long maxRequestBytes = config.limits().maxRequestBytes();
        final ScanExecutor scans = new ScanExecutor(Math.max(2, Runtime.getRuntime().availableProcessors()));
        final WatchHub watches = startWatchHub(store, headers, WatchHub.Settings.defaults(
            // etcd's watch server fragments at the request limit plus the same allowance.
            maxRequestBytes + ClientListeners.GRPC_OVERHEAD_BYTES));
        final Tokens tokens = Tokens.create(config.security().auth().tokens());
        store.onAuthEvent(tokens::hear);
        final Callers callers = new Callers(store, tokens);
        final AccessChecks access = new AccessChecks(store, callers);
        final LearnerRefusals learners = new LearnerRefusals(store);
        final List<ServerServiceDefinition> services = List.of(
            new KvService(store, headers, new RequestSizeLimit(maxRequestBytes, RequestIds.largestFor(memberId)),
                config.limits().maxTxnOps(), quota, alarms, scans, AnswerBudget.forThisJvm(), callers).bindService(),
            new MaintenanceService(store, headers, alarms, access).bindService(),
            new LeaseService(store, headers, access).bindService(),
            new LockService(store, headers, scans, access).bindService(),
            new ElectionService(store, headers, scans, access).bindService(),
            new WatchService(watches, headers, access).bindService(),
            new ClusterService(store, headers, callers, config.bootstrap().strictReconfigCheck(), java.time.Clock.systemUTC(),
                new PromoteForwarding(new MemberChannels(clientTls), config.timing().electionTimeoutMillis() * 5))
                .bindService(),
            new AuthService(store, headers, callers, new Passwords(config.security().auth().bcryptCost()), scans).bindService());
        final PrometheusRegistry registry = listeners.registry();
        final GrpcServerMetrics grpcMetrics = listeners.grpcMetrics();
        grpcMetrics.initialize(services);
        MemberMetrics.register(registry, store, io.cairn.engine.api.EtcdVersions.SERVER, io.cairn.engine.api.EtcdVersions.CLUSTER,
            config.limits().quotaBackendBytes() == ServerConfig.QUOTA_DISABLED ? 0 : config.limits().quotaBackendBytes());
        ProcessMetrics.builder().register(registry);
        final HealthCheck health = new HealthCheck(store,
            () -> alarms.get(AlarmType.NONE).stream().map(alarm -> alarm.getAlarm().name()).toList());
        health.register(registry);
        // The JSON gateway calls the same services over gRPC's in-process transport, as etcd's gateway
        // calls its own gRPC server.
        final String inProcessName = "cairn-gateway-" + Long.toHexString(memberId) + "-" + System.nanoTime();
        final InProcessServerBuilder gatewayServer = InProcessServerBuilder.forName(inProcessName).directExecutor()
            .intercept(callers).intercept(grpcMetrics).intercept(learners);
        services.forEach(gatewayServer::addService);
        final List<Server> servers = new ArrayList<>();
        try {
            servers.add(gatewayServer.build().start());
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot start the JSON gateway's in-process server", e);
        }
        servers.addAll(listeners.servers());
        final ManagedChannel gatewayChannel = InProcessChannelBuilder.forName(inProcessName).directExecutor().build();
        final HttpEndpoints clientHttp = HttpEndpoints.clientPort(health, registry, io.cairn.engine.api.EtcdVersions.SERVER,
            io.cairn.engine.api.EtcdVersions.CLUSTER + ".0", new JsonGateway(gatewayChannel),
            // base64 makes values a third larger; the gRPC limit then applies to the call itself
            (int)(maxRequestBytes * 4 / 3) + ClientListeners.GRPC_OVERHEAD_BYTES);
        // The order of a server's own interceptors: the last runs first.
        listeners.serve(services, List.of(callers, grpcMetrics, learners), clientHttp,
            HttpEndpoints.metricsPort(health, registry));
        final CorruptionCheck corruptionCheck = new CorruptionCheck(store, alarms,
            CorruptionCheck.requestTimeout(config.timing().electionTimeoutMillis()), new MemberChannels(clientTls));
        corruptionCheck.startPeriodic(config.corruptCheck().interval());
        return new CairnServer(servers, gatewayChannel, scans, watches, corruptionCheck);
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
        corruptionCheck.close();
        watches.close();
        gatewayChannel.shutdownNow();
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
