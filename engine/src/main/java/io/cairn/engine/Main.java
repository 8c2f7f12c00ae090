package io.cairn.engine;

import io.cairn.btree.EnvOptions;
import io.cairn.engine.cluster.MemberIds;
import io.cairn.engine.compaction.AutoCompactor;
import io.cairn.engine.config.ServerCommandLine;
import io.cairn.engine.config.ServerConfig;
import io.cairn.engine.config.ServerTls;
import io.cairn.engine.config.UrlList;
import io.cairn.engine.tls.TlsContext;
import io.cairn.transport.PeerTls;
import io.cairn.engine.lease.LeaseOptions;
import io.cairn.engine.lease.Lessor;
import io.cairn.engine.log.LogField;
import io.cairn.engine.log.Logs;
import io.cairn.engine.cluster.InitialMembers;
import io.cairn.engine.peer.ClusterView;
import io.cairn.engine.peer.PeerHttpServer;
import io.cairn.engine.node.ClusterOptions;
import io.cairn.engine.node.MemberOptions;
import io.cairn.engine.node.RaftKeyValueStore;
import io.cairn.engine.server.CairnServer;
import io.cairn.engine.server.ClientListeners;
import io.cairn.engine.server.StartupPreload;
import io.cairn.engine.ops.CompilerThreads;
import io.cairn.engine.ops.SystemdNotify;
import io.cairn.engine.server.Alarms;
import io.cairn.engine.server.CorruptionCheck;
import io.cairn.engine.server.MaintenanceService;
import io.cairn.engine.server.MemberChannels;
import io.cairn.engine.testfaults.PlantedBug;
import io.cairn.engine.testfaults.StorageFaultControl;
import io.cairn.posix.NativePosix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import javax.net.ssl.SSLContext;
import java.util.List;
import java.util.stream.Stream;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/** `bin/cairn`: etcd's command line in, a serving Cairn member out. */
public final class Main {
    static final int EXIT_USAGE = 2;
    static final int EXIT_FAILURE = 1;
    private static final long READY_PROBE_MILLIS = 100;
    /** On idle CPU from the preload's first step until the member serves. */
    private static final CompilerThreads COMPILER_THREADS = new CompilerThreads();
    private static final Set<String> PRINT_ONLY_FLAGS = Set.of("-h", "--help", "-help", "--version", "-version");
    private static final System.Logger LOG = System.getLogger(Main.class.getName());
    /**
     * Netty's allocator reports to JFR through event classes of its own when this property (the
     * name grpc-netty-shaded's copy reads) is not false. A member's first request then loaded them on
     * the event loop and read their annotations through reflection: about 0.1 s before the first
     * answer after every start (JFR event classes are never in the AOT cache). Off unless the
     * operator sets it; the JVM's own JFR events are unaffected.
     */
    static final String NETTY_JFR_PROPERTY = "io.grpc.netty.shaded.io.netty.jfr.enabled";
    /**
     * Netty's buffer leak detector (the name grpc-netty-shaded's copy reads): at its default level it
     * follows one buffer in 128 with a stack trace taken when the buffer is made, and a three-member
     * profile under load had the event loops spend 3% of their time filling in those traces (issue
     * #21). A debugging aid: off unless the operator sets a level (Netty's own advice for production).
     */
    static final String NETTY_LEAK_DETECTION_PROPERTY = "io.grpc.netty.shaded.io.netty.leakDetection.level";
    /**
     * How many event loop threads gRPC's shared groups get (the name grpc-netty-shaded's copy reads),
     * unless the operator sets it: {@link #eventLoops}, where Netty's default is twice the cores.
     */
    static final String NETTY_EVENT_LOOPS_PROPERTY = "io.grpc.netty.shaded.io.netty.eventLoopThreads";

    private Main() {
    }

    /**
     * Event loops for a member on {@code cores} processors: half of them, at least one. Requests
     * other than range scans run on the event loop that read them, and the Raft loop thread, the
     * tree's sync thread and the scan threads want the rest. Fewer loops also serve more
     * connections per wake-up: on two cores, one loop instead of Netty's four cost a member 5-8% less
     * CPU per put at 256 clients over 16 connections, its event loops a quarter less (issue #21;
     * engine/README.md, "One event loop on two cores").
     */
    static int eventLoops(final int cores) {
        return Math.max(1, cores / 2);
    }

    /** Sets system property {@code name} to {@code value} unless it was given on the command line. */
    private static void setUnlessOperatorDid(final String name, final String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }

    public static void main(final String[] args) throws InterruptedException {
        // Before any Netty class is initialised: each reads its property once.
        setUnlessOperatorDid(NETTY_JFR_PROPERTY, "false");
        setUnlessOperatorDid(NETTY_LEAK_DETECTION_PROPERTY, "disabled");
        setUnlessOperatorDid(NETTY_EVENT_LOOPS_PROPERTY,
            Integer.toString(eventLoops(Runtime.getRuntime().availableProcessors())));
        if (args.length > 0 && args[0].equals("snapshot")) {
            System.exit(SnapshotRestoreLauncher.run(List.of(args).subList(1, args.length)));
        }
        if (args.length > 0 && args[0].equals("migrate")) {
            System.exit(MigrateLauncher.run(List.of(args).subList(1, args.length)));
        }
        if (!printsOnly(args)) {
            // Before the command line, so that reading it and the configuration overlap the set-up
            // of the native calls, gRPC and Netty.
            StartupPreload.start(COMPILER_THREADS);
        }
        final String version = "cairn Version: " + Main.class.getPackage().getImplementationVersion()
            + "\netcd API Version: " + MaintenanceService.ETCD_API_VERSION
            + "\nJava Version: " + Runtime.version();
        final ServerCommandLine.Outcome outcome = ServerCommandLine.parse(List.of(args), System.getenv(), version,
            warning -> System.err.println("cairn: warning: " + warning));
        switch (outcome) {
            case ServerCommandLine.Outcome.Print print -> System.out.println(print.text());
            case ServerCommandLine.Outcome.UsageError error -> {
                System.err.println("cairn: " + error.message() + ". See 'cairn --help'.");
                System.exit(EXIT_USAGE);
            }
            case ServerCommandLine.Outcome.Run run -> {
                try {
                    Logs.install(run.config().logging());
                } catch (final IOException e) {
                    // Logging is not set up: the one place an output's failure can be told.
                    System.err.println("cairn: cannot start: " + e.getMessage());
                    System.exit(EXIT_FAILURE);
                }
                serve(run.config());
            }
        }
    }

    /** True when the arguments ask for help or the version only: no member starts. */
    private static boolean printsOnly(final String[] args) {
        return Stream.of(args).anyMatch(PRINT_ONLY_FLAGS::contains);
    }

    /** Address space for the B+tree: room for the quota twice over (copy-on-write needs slack). */
    static long mapSizeBytes(final ServerConfig config) {
        final long quota = config.limits().quotaBackendBytes() == ServerConfig.QUOTA_DISABLED
            ? ServerConfig.DEFAULT_QUOTA_BACKEND_BYTES : config.limits().quotaBackendBytes();
        return Math.max(EnvOptions.DEFAULT_MAP_SIZE_BYTES, Math.ceilDiv(2 * quota, 1L << 30) << 30);
    }

    /** The member as etcd's flags describe it. */
    public static MemberOptions memberOptions(final ServerConfig config) {
        final int electionTicks = (int)(config.timing().electionTimeoutMillis() / config.timing().heartbeatIntervalMillis());
        return MemberOptions.defaults(MemberIds.memberId(config.urls().initialAdvertisePeerUrls(), config.bootstrap().initialClusterToken()))
            .withMapSizeBytes(mapSizeBytes(config))
            .withMaxRequestBytes(config.limits().maxRequestBytes())
            .withTicks(config.timing().heartbeatIntervalMillis(), electionTicks)
            .withSnapshotCount(config.storage().snapshotCount())
            .withWalSegmentBytes(config.storage().walSegmentBytes())
            .withLease(new LeaseOptions(
                Lessor.minTtlSeconds(config.timing().heartbeatIntervalMillis(), config.timing().electionTimeoutMillis()),
                config.leaseCheckpointInterval().toNanos()));
    }

    /** The member's place in its cluster as etcd's flags give it (used as is only by a new data dir). */
    public static ClusterOptions clusterOptions(final ServerConfig config) {
        return clusterOptions(config, InitialMembers.of(config.bootstrap().initialCluster().peerUrlsByName(),
            config.bootstrap().initialClusterToken(), config.name(), config.urls().initialAdvertisePeerUrls()));
    }

    /** As above, with the members a new data dir starts from (a new cluster's, or a running one's it joins). */
    static ClusterOptions clusterOptions(final ServerConfig config, final InitialMembers initial) {
        return new ClusterOptions(config.name(), initial,
            config.urls().advertiseClientUrls().stream().map(URI::toString).toList(),
            config.urls().listenPeerUrls().getFirst().toString(), null, null);
    }

    /** TESTS ONLY: the bugs a chaos test planted through the environment (see testfaults). */
    private static void plant(final Set<PlantedBug> bugs, final RaftKeyValueStore store, final CairnServer server) {
        for (final PlantedBug bug : bugs) {
            System.err.println("cairn: TEST ONLY: planted bug " + bug.flagName() + " is on; never run a member like"
                + " this outside tests");
            switch (bug) {
                case FOLLOWER_READS_SKIP_READ_INDEX -> store.plantBugFollowerReadsSkipReadIndex();
                case ACK_BEFORE_WAL_FDATASYNC -> store.plantBugWalAcknowledgesBeforeFdatasync();
                case WATCH_SKIPS_EVENT_UNDER_LOAD -> server.plantBugWatchSkipsEventUnderLoad();
            }
        }
    }

    /**
     * Waits until the member has joined its cluster and serves linearizable reads (it knows a
     * leader and has applied what was committed), then says so, to systemd too: what etcd's
     * "ready to serve client requests" means.
     */
    private static void announceWhenServing(final ServerConfig config, final RaftKeyValueStore store,
                                            final SystemdNotify systemd) {
        while (true) {
            try {
                store.linearizableRead().get(READY_PROBE_MILLIS, TimeUnit.MILLISECONDS);
                LOG.log(System.Logger.Level.INFO, "ready to serve client requests", LogField.of("name", config.name()),
                    LogField.memberId("local-member-id", store.status().memberId()));
                systemd.ready();
                restoreCompilerThreads();
                return;
            } catch (final ExecutionException | TimeoutException notYet) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(READY_PROBE_MILLIS));
            } catch (final InterruptedException e) {
                return;
            }
        }
    }

    /** The JIT back at its own priority: on idle CPU only, a load that keeps every core busy would starve it. */
    private static void restoreCompilerThreads() {
        try {
            COMPILER_THREADS.restore();
        } catch (final IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot return the JIT compiler threads to their priority",
                LogField.of("error", e.getMessage()));
        }
    }

    /**
     * TLS between peers when the peer URLs are https: etcd's peer flags, as the transport takes them.
     * A member's peer URLs must then all be https (the transport encrypts every peer or none). As
     * etcd does, peer TLS files with only http peer URLs are not used (a warning says so).
     */
    static PeerTls peerTls(final ServerConfig config, final TlsContext peer) {
        final List<URI> peerUrls = Stream.concat(Stream.concat(config.urls().listenPeerUrls().stream(),
                config.urls().initialAdvertisePeerUrls().stream()),
            config.bootstrap().initialCluster().peerUrlsByName().values().stream().flatMap(List::stream)).toList();
        final long https = peerUrls.stream().filter(UrlList::isTls).count();
        if (https == 0) {
            if (peer != null) {
                LOG.log(System.Logger.Level.WARNING, "peer TLS files are given but every peer URL is http: peers talk "
                    + "without TLS");
            }
            return null;
        }
        if (https != peerUrls.size()) {
            throw new IllegalArgumentException("peer URLs must be all https or all http (--listen-peer-urls, "
                + "--initial-advertise-peer-urls, --initial-cluster): " + peerUrls);
        }
        if (peer == null) {
            throw new IllegalArgumentException("https peer URLs need --peer-cert-file and --peer-key-file, or "
                + "--peer-auto-tls");
        }
        return new PeerTls(peer.sslContext(), peer.requiresClientCertificate(), peer.settings().allowedCn());
    }

    /** The member was removed from its cluster: it says so as etcd does, and exits 0 (etcd's status). */
    static void exitRemoved(final ServerConfig config) {
        LOG.log(System.Logger.Level.ERROR, "the member has been permanently removed from the cluster",
            LogField.of("name", config.name()));
        LOG.log(System.Logger.Level.INFO, "the data-dir used by this member must be removed.",
            LogField.of("data-dir", config.storage().dataDir()));
        System.exit(0);
    }

    /**
     * After a failed start: closes what it opened and, for a new member, deletes the data dir (and
     * WAL dir) it created, so that the next start begins from the flags again, as etcd's would.
     */
    private static void removeNewMember(final ServerConfig config, final NewMemberDirectories newDirectories,
        final CairnServer startedOrNull, final RaftKeyValueStore openedOrNull) {
        try {
            if (startedOrNull != null) {
                startedOrNull.close();
            }
            if (openedOrNull != null) {
                openedOrNull.close();
            }
            for (final java.nio.file.Path removed : newDirectories.removeAfterFailedStart(NativePosix.INSTANCE)) {
                LOG.log(System.Logger.Level.INFO, "removed what the failed start created",
                    LogField.of("name", config.name()), LogField.of("dir", removed));
            }
        } catch (final IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove what the failed start created: remove it before"
                + " starting again", LogField.of("data-dir", config.storage().dataDir()),
                LogField.of("wal-dir", config.storage().walDir()), LogField.of("error", e.getMessage()));
        }
    }

    /** The client ports {@code binding} opened, or what stopped them (a port in use, most often). */
    private static ClientListeners listeners(final CompletableFuture<ClientListeners> binding) throws IOException {
        try {
            return binding.join();
        } catch (final CompletionException e) {
            switch (e.getCause()) {
                case UncheckedIOException io -> throw io.getCause();
                case RuntimeException runtime -> throw runtime;
                case Error error -> throw error;
                default -> throw e;
            }
        }
    }

    private static void serve(final ServerConfig config) throws InterruptedException {
        final RaftKeyValueStore store;
        final CairnServer server;
        final PeerHttpServer peerPort;
        final SSLContext peerSsl;
        final StorageFaultControl testFaults;
        final NewMemberDirectories newDirectories;
        try {
            newDirectories = NewMemberDirectories.before(config.storage().dataDir(), config.storage().walDir());
        } catch (final IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot start", LogField.of("name", config.name()),
                LogField.of("error", "cannot read the data dir: " + e.getMessage()));
            System.exit(EXIT_FAILURE);
            return;
        }
        RaftKeyValueStore opened = null;
        CairnServer started = null;
        try {
            // TLS first: a bad certificate file stops the start before anything is opened.
            final TlsContext clientTls = ServerTls.client(config, Clock.systemUTC());
            final TlsContext peerTlsContext = ServerTls.peer(config, Clock.systemUTC());
            final PeerTls peerTls = peerTls(config, peerTlsContext);
            peerSsl = peerTls == null ? null : peerTlsContext.sslContext();
            // The client ports listen from now on, as etcd's do: a client that connects while the
            // data dir opens waits for its answer instead of being refused. Bound on a thread of
            // their own, while this one opens the data dir.
            final CompletableFuture<ClientListeners> binding = CompletableFuture.supplyAsync(() -> {
                try {
                    return ClientListeners.bind(config, clientTls);
                } catch (final IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, task -> Thread.ofPlatform().name("cairn-bind").start(task));
            // A new data dir joining a running cluster learns its members and ids from the others;
            // a data dir that exists is a member already, whatever the flags say (as in etcd).
            final boolean joining = config.bootstrap().initialClusterState() == ServerConfig.ClusterState.EXISTING
                && newDirectories.newMember();
            final ClusterOptions cluster = joining ? clusterOptions(config, ClusterJoin.join(config, peerSsl))
                : clusterOptions(config);
            final Set<PlantedBug> plantedBugs = PlantedBug.fromEnvironment(System.getenv());
            testFaults = StorageFaultControl.fromEnvironment(System.getenv(), NativePosix.INSTANCE);
            // Snapshots to peers go over TCP, to the peer listener started below, as etcd sends them.
            store = RaftKeyValueStore.open(config.storage().dataDir(), config.storage().walDir(), memberOptions(config),
                cluster.withPeerTls(peerTls).withSnapshotsOverTcp(true), testFaults.disk());
            opened = store;
            if (config.corruptCheck().initial()) {
                new CorruptionCheck(store, new Alarms(store), CorruptionCheck.requestTimeout(
                    config.timing().electionTimeoutMillis()), new MemberChannels(clientTls)).checkBeforeServing();
            }
            server = CairnServer.start(config, store, clientTls, listeners(binding));
            started = server;
            final RaftKeyValueStore members = store;
            peerPort = PeerHttpServer.start(config.urls().listenPeerUrls().getFirst(), peerSsl,
                peerTls != null && peerTls.clientCertAuth(), () -> new ClusterView(members.status().clusterId(),
                    members.members(), members.removedMemberIds()), members::receiveSnapshot);
            plant(plantedBugs, store, server);
        } catch (final IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot start", LogField.of("name", config.name()),
                LogField.of("error", e.getMessage()));
            if (newDirectories.newMember()) {
                removeNewMember(config, newDirectories, started, opened); // a member that existed exits as before
            }
            System.exit(EXIT_FAILURE);
            return;
        }
        LOG.log(System.Logger.Level.INFO, "serving client requests", LogField.of("name", config.name()),
            LogField.of("listen-client-urls", config.urls().listenClientUrls()));
        final AutoCompactor compactor = AutoCompactor.start(config.autoCompaction(), store);
        final SystemdNotify systemd = SystemdNotify.fromEnvironment(System.getenv());
        final Runnable close = () -> {
            compactor.close();
            peerPort.close();
            server.close();
            try {
                store.close();
            } catch (final IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot close the member's storage",
                    LogField.of("data-dir", config.storage().dataDir()), LogField.of("error", e.getMessage()));
            }
        };
        testFaults.onPowerCut(close);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            systemd.stopping();
            close.run();
        }, "cairn-shutdown"));
        Thread.ofVirtual().name("cairn-ready").start(() -> announceWhenServing(config, store, systemd));
        // etcd's words and exit status: a removed member stops, and its data dir is of no further use.
        store.removal().thenRunAsync(() -> exitRemoved(config), task -> Thread.ofPlatform().name("cairn-removed")
            .start(task));
        RemovedMemberCheck.start(store, peerSsl, () -> exitRemoved(config));
        server.awaitTermination();
    }
}
