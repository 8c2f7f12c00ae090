package io.cairn.engine.config;

/**
 * The server's command line: etcd 3.4's flag names, defaults and help texts, so that unit files
 * and container specs written for etcd start Cairn unchanged. Values are raw here; {@link
 * ServerConfig#from} validates them and turns them into typed settings.
 *
 * <p>{@link #declare} lists every flag once, for both parsers that read them: {@link PlainFlagParser}
 * for an ordinary start, picocli ({@link PicocliCommandLine}) for help, errors and anything unusual.
 * Picocli's model is built in code rather than read from annotations: reading ~50 annotated fields
 * by reflection (an annotation proxy, a field accessor each) cost 100-200 ms of every member's
 * start. engine/README.md, "Restart", has the figures.
 */
public final class ServerFlags {
    boolean help;
    boolean version;
    // Member
    String name;
    String dataDir;
    String walDir;
    long snapshotCount;
    long heartbeatIntervalMillis;
    long electionTimeoutMillis;
    String listenPeerUrls;
    String listenClientUrls;
    String listenMetricsUrls;
    long quotaBackendBytes;
    int maxTxnOps;
    long maxRequestBytes;
    // Clustering
    String initialAdvertisePeerUrls;
    String initialCluster;
    String initialClusterState;
    boolean strictReconfigCheck;
    String initialClusterToken;
    String advertiseClientUrls;
    String autoCompactionRetention;
    String autoCompactionMode;
    boolean initialCorruptCheck;
    String corruptCheckTime;
    String leaseCheckpointInterval;
    // Security (etcd 3.4's names and help texts)
    String certFile;
    String keyFile;
    boolean clientCertAuth;
    String trustedCaFile;
    boolean autoTls;
    String peerCertFile;
    String peerKeyFile;
    boolean peerClientCertAuth;
    String peerTrustedCaFile;
    boolean peerAutoTls;
    String peerCertAllowedCn;
    String cipherSuites;
    // Auth
    String authToken;
    long authTokenTtlSeconds;
    int bcryptCost;
    // Tests only: etcd's WAL segments are always 64 MiB; crash tests need segments small enough to be
    // released within a short run. Hidden from --help.
    long walSegmentBytes;
    // Logging
    String logger;
    String logOutputs;
    String logLevel;

    /** The flags as a plain table, for {@link PlainFlagParser}; setting them sets the fields of {@code flags}. */
    static PlainFlagParser plain(final ServerFlags flags) {
        final PlainFlagParser parser = new PlainFlagParser();
        declare(flags, parser);
        return parser;
    }

    /** Every flag, once: its names, default, help text and field. */
    static void declare(final ServerFlags flags, final FlagTable table) {
        table.usageHelp("Show this help and exit.", v -> flags.help = v, "-h", "--help");
        table.versionHelp("Print the version and exit.", v -> flags.version = v, "--version");
        // Member
        table.string("--name", "default", "Human-readable name for this member.", v -> flags.name = v);
        table.string("--data-dir", "", "Path to the data directory (default: <name>.cairn).", v -> flags.dataDir = v);
        table.string("--wal-dir", "", "Path to a dedicated WAL directory.", v -> flags.walDir = v);
        table.longValue("--snapshot-count", "100000",
            "Number of committed transactions to trigger a snapshot to disk.",
            v -> flags.snapshotCount = v);
        table.longValue("--heartbeat-interval", "100",
            "Time (in milliseconds) of a heartbeat interval.",
            v -> flags.heartbeatIntervalMillis = v);
        table.longValue("--election-timeout", "1000",
            "Time (in milliseconds) for an election to timeout.",
            v -> flags.electionTimeoutMillis = v);
        table.string("--listen-peer-urls", "http://localhost:2380",
            "List of URLs to listen on for peer traffic.",
            v -> flags.listenPeerUrls = v);
        table.string("--listen-client-urls", "http://localhost:2379",
            "List of URLs to listen on for client traffic.",
            v -> flags.listenClientUrls = v);
        table.string("--listen-metrics-urls", "",
            "List of URLs to listen on for the metrics and health endpoints.",
            v -> flags.listenMetricsUrls = v);
        table.longValue("--quota-backend-bytes", "0",
            "Raise alarms when backend size exceeds the given quota (0 defaults to 2 GiB).",
            v -> flags.quotaBackendBytes = v);
        table.intValue("--max-txn-ops", "128",
            "Maximum number of operations permitted in a transaction.",
            v -> flags.maxTxnOps = v);
        table.longValue("--max-request-bytes", "1572864",
            "Maximum client request size in bytes the server will accept.",
            v -> flags.maxRequestBytes = v);
        // Clustering
        table.string("--initial-advertise-peer-urls", "http://localhost:2380",
            "List of this member's peer URLs to advertise to the rest of the cluster.",
            v -> flags.initialAdvertisePeerUrls = v);
        table.string("--initial-cluster", "",
            "Initial cluster configuration for bootstrapping (default: "
            + "<name>=<initial-advertise-peer-urls>).",
            v -> flags.initialCluster = v);
        table.string("--initial-cluster-state", "new",
            "Initial cluster state ('new' or 'existing').",
            v -> flags.initialClusterState = v);
        table.flag("--strict-reconfig-check", "true",
            "Reject reconfiguration requests that would cause quorum loss.",
            v -> flags.strictReconfigCheck = v);
        table.string("--initial-cluster-token", "etcd-cluster",
            "Initial cluster token for the cluster during bootstrap.",
            v -> flags.initialClusterToken = v);
        table.string("--advertise-client-urls", "http://localhost:2379",
            "List of this member's client URLs to advertise to the public.",
            v -> flags.advertiseClientUrls = v);
        table.string("--auto-compaction-retention", "0",
            "Auto compaction retention length. 0 means disable auto compaction.",
            v -> flags.autoCompactionRetention = v);
        table.string("--auto-compaction-mode", "periodic",
            "Interpret 'auto-compaction-retention' one of: periodic|revision. 'periodic' for duration based "
            + "retention, defaulting to hours if no time unit is provided (e.g. '5m'). 'revision' for revision "
            + "number based retention.",
            v -> flags.autoCompactionMode = v);
        table.flag("--experimental-initial-corrupt-check", "false",
            "Before serving, compare this member's HashKV with every peer's and refuse to start if one "
            + "differs at the same compaction.",
            v -> flags.initialCorruptCheck = v);
        table.string("--experimental-corrupt-check-time", "0s",
            "How often the leader compares its HashKV with the followers' (a duration; 0s: never); a "
            + "difference raises the CORRUPT alarm, which refuses writes until disarmed.",
            v -> flags.corruptCheckTime = v);
        table.string("--experimental-lease-checkpoint-interval", "5m",
            "How often the leader persists leases' remaining TTLs (a duration, e.g. '5m'), so a restart "
            + "resumes them. Cairn always checkpoints (etcd 3.4 only with "
            + "--experimental-enable-lease-checkpoint).",
            v -> flags.leaseCheckpointInterval = v);
        // Security (etcd 3.4's names and help texts)
        table.string("--cert-file", "", "Path to the client server TLS cert file.", v -> flags.certFile = v);
        table.string("--key-file", "", "Path to the client server TLS key file.", v -> flags.keyFile = v);
        table.flag("--client-cert-auth", "false",
            "Enable client cert authentication.",
            v -> flags.clientCertAuth = v);
        table.string("--trusted-ca-file", "",
            "Path to the client server TLS trusted CA cert file.",
            v -> flags.trustedCaFile = v);
        table.flag("--auto-tls", "false", "Client TLS using generated certificates", v -> flags.autoTls = v);
        table.string("--peer-cert-file", "", "Path to the peer server TLS cert file.", v -> flags.peerCertFile = v);
        table.string("--peer-key-file", "", "Path to the peer server TLS key file.", v -> flags.peerKeyFile = v);
        table.flag("--peer-client-cert-auth", "false",
            "Enable peer client cert authentication.",
            v -> flags.peerClientCertAuth = v);
        table.string("--peer-trusted-ca-file", "",
            "Path to the peer server TLS trusted CA file.",
            v -> flags.peerTrustedCaFile = v);
        table.flag("--peer-auto-tls", "false", "Peer TLS using generated certificates", v -> flags.peerAutoTls = v);
        table.string("--peer-cert-allowed-cn", "",
            "Allowed CN for inter peer authentication.",
            v -> flags.peerCertAllowedCn = v);
        table.string("--cipher-suites", "",
            "Comma-separated list of supported TLS cipher suites between client/server and peers (empty will "
            + "be auto-populated by the Java runtime). Go's names, as etcd takes them.",
            v -> flags.cipherSuites = v);
        // Auth
        table.string("--auth-token", "simple",
            "Specify auth token specific options: 'simple', or "
            + "'jwt,pub-key=FILE,priv-key=FILE,sign-method=RS256[,ttl=5m]'.",
            v -> flags.authToken = v);
        table.longValue("--auth-token-ttl", "300",
            "The lifetime in seconds of a simple auth token after its last use.",
            v -> flags.authTokenTtlSeconds = v);
        table.intValue("--bcrypt-cost", "10",
            "Specify bcrypt algorithm cost factor for auth password hashing (4..31).",
            v -> flags.bcryptCost = v);
        // Tests only: a member's WAL segments are 16 MiB (MemberOptions.DEFAULT_WAL_SEGMENT_BYTES); crash
        // tests need segments small enough to be released within a short run. Hidden from --help.
        table.hiddenLongValue("--cairn-test-wal-segment-bytes", "16777216", v -> flags.walSegmentBytes = v);
        // Logging
        table.string("--logger", "capnslog",
            "Specify 'zap' for structured logging (one JSON object per line) or 'capnslog' (plain lines).",
            v -> flags.logger = v);
        table.string("--log-outputs", "default",
            "Specify 'stdout' or 'stderr', or (with --logger=zap) a comma separated list of output targets: "
            + "stdout, stderr, file paths. 'default' is stderr.",
            v -> flags.logOutputs = v);
        table.string("--log-level", "info",
            "Configures log level. Only supports debug, info, warn, error, panic, or fatal.",
            v -> flags.logLevel = v);
    }
}
