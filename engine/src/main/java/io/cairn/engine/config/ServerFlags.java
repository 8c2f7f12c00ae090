package io.cairn.engine.config;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The server's command line: etcd 3.4's flag names, defaults and help texts, so that unit files
 * and container specs written for etcd start Cairn unchanged. Values are raw here; {@link
 * ServerConfig#from} validates them and turns them into typed settings.
 */
@Command(
    name = "cairn",
    sortOptions = false,
    usageHelpWidth = 100,
    description = "Start a Cairn server: an etcd-compatible key-value store (etcd's v3 API and flags).",
    footer = {"", "Every flag can also be set through its etcd environment variable: --snapshot-count is "
        + "ETCD_SNAPSHOT_COUNT. A flag given on the command line may not also be set in the environment."})
public final class ServerFlags {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--version", versionHelp = true, description = "Print the version and exit.")
    boolean version;

    // Member
    @Option(names = "--name", defaultValue = "default", description = "Human-readable name for this member.")
    String name;

    @Option(names = "--data-dir", defaultValue = "", description = "Path to the data directory (default: <name>.cairn).")
    String dataDir;

    @Option(names = "--wal-dir", defaultValue = "", description = "Path to a dedicated WAL directory.")
    String walDir;

    @Option(names = "--snapshot-count", defaultValue = "100000",
        description = "Number of committed transactions to trigger a snapshot to disk.")
    long snapshotCount;

    @Option(names = "--heartbeat-interval", defaultValue = "100",
        description = "Time (in milliseconds) of a heartbeat interval.")
    long heartbeatIntervalMillis;

    @Option(names = "--election-timeout", defaultValue = "1000",
        description = "Time (in milliseconds) for an election to timeout.")
    long electionTimeoutMillis;

    @Option(names = "--listen-peer-urls", defaultValue = "http://localhost:2380",
        description = "List of URLs to listen on for peer traffic.")
    String listenPeerUrls;

    @Option(names = "--listen-client-urls", defaultValue = "http://localhost:2379",
        description = "List of URLs to listen on for client traffic.")
    String listenClientUrls;

    @Option(names = "--listen-metrics-urls", defaultValue = "",
        description = "List of URLs to listen on for the metrics and health endpoints.")
    String listenMetricsUrls;

    @Option(names = "--quota-backend-bytes", defaultValue = "0",
        description = "Raise alarms when backend size exceeds the given quota (0 defaults to 2 GiB).")
    long quotaBackendBytes;

    @Option(names = "--max-txn-ops", defaultValue = "128",
        description = "Maximum number of operations permitted in a transaction.")
    int maxTxnOps;

    @Option(names = "--max-request-bytes", defaultValue = "1572864",
        description = "Maximum client request size in bytes the server will accept.")
    long maxRequestBytes;

    // Clustering
    @Option(names = "--initial-advertise-peer-urls", defaultValue = "http://localhost:2380",
        description = "List of this member's peer URLs to advertise to the rest of the cluster.")
    String initialAdvertisePeerUrls;

    @Option(names = "--initial-cluster", defaultValue = "",
        description = "Initial cluster configuration for bootstrapping (default: <name>=<initial-advertise-peer-urls>).")
    String initialCluster;

    @Option(names = "--initial-cluster-state", defaultValue = "new",
        description = "Initial cluster state ('new' or 'existing').")
    String initialClusterState;

    @Option(names = "--strict-reconfig-check", defaultValue = "true", arity = "0..1",
        description = "Reject reconfiguration requests that would cause quorum loss.")
    boolean strictReconfigCheck;

    @Option(names = "--initial-cluster-token", defaultValue = "etcd-cluster",
        description = "Initial cluster token for the cluster during bootstrap.")
    String initialClusterToken;

    @Option(names = "--advertise-client-urls", defaultValue = "http://localhost:2379",
        description = "List of this member's client URLs to advertise to the public.")
    String advertiseClientUrls;

    @Option(names = "--auto-compaction-retention", defaultValue = "0",
        description = "Auto compaction retention length. 0 means disable auto compaction.")
    String autoCompactionRetention;

    @Option(names = "--auto-compaction-mode", defaultValue = "periodic",
        description = "Interpret 'auto-compaction-retention' one of: periodic|revision. 'periodic' for duration "
            + "based retention, defaulting to hours if no time unit is provided (e.g. '5m'). 'revision' for "
            + "revision number based retention.")
    String autoCompactionMode;

    @Option(names = "--experimental-initial-corrupt-check", defaultValue = "false", arity = "0..1",
        description = "Before serving, compare this member's HashKV with every peer's and refuse to start if one "
            + "differs at the same compaction.")
    boolean initialCorruptCheck;

    @Option(names = "--experimental-corrupt-check-time", defaultValue = "0s",
        description = "How often the leader compares its HashKV with the followers' (a duration; 0s: never); a "
            + "difference raises the CORRUPT alarm, which refuses writes until disarmed.")
    String corruptCheckTime;

    @Option(names = "--experimental-lease-checkpoint-interval", defaultValue = "5m",
        description = "How often the leader persists leases' remaining TTLs (a duration, e.g. '5m'), so a restart "
            + "resumes them. Cairn always checkpoints (etcd 3.4 only with --experimental-enable-lease-checkpoint).")
    String leaseCheckpointInterval;

    // Security (etcd 3.4's names and help texts)
    @Option(names = "--cert-file", defaultValue = "", description = "Path to the client server TLS cert file.")
    String certFile;

    @Option(names = "--key-file", defaultValue = "", description = "Path to the client server TLS key file.")
    String keyFile;

    @Option(names = "--client-cert-auth", defaultValue = "false", arity = "0..1",
        description = "Enable client cert authentication.")
    boolean clientCertAuth;

    @Option(names = "--trusted-ca-file", defaultValue = "", description = "Path to the client server TLS trusted CA cert file.")
    String trustedCaFile;

    @Option(names = "--auto-tls", defaultValue = "false", arity = "0..1",
        description = "Client TLS using generated certificates")
    boolean autoTls;

    @Option(names = "--peer-cert-file", defaultValue = "", description = "Path to the peer server TLS cert file.")
    String peerCertFile;

    @Option(names = "--peer-key-file", defaultValue = "", description = "Path to the peer server TLS key file.")
    String peerKeyFile;

    @Option(names = "--peer-client-cert-auth", defaultValue = "false", arity = "0..1",
        description = "Enable peer client cert authentication.")
    boolean peerClientCertAuth;

    @Option(names = "--peer-trusted-ca-file", defaultValue = "", description = "Path to the peer server TLS trusted CA file.")
    String peerTrustedCaFile;

    @Option(names = "--peer-auto-tls", defaultValue = "false", arity = "0..1",
        description = "Peer TLS using generated certificates")
    boolean peerAutoTls;

    @Option(names = "--peer-cert-allowed-cn", defaultValue = "", description = "Allowed CN for inter peer authentication.")
    String peerCertAllowedCn;

    @Option(names = "--cipher-suites", defaultValue = "",
        description = "Comma-separated list of supported TLS cipher suites between client/server and peers (empty "
            + "will be auto-populated by the Java runtime). Go's names, as etcd takes them.")
    String cipherSuites;

    // Auth
    @Option(names = "--auth-token", defaultValue = "simple",
        description = "Specify auth token specific options: 'simple', or 'jwt,pub-key=FILE,priv-key=FILE,"
            + "sign-method=RS256[,ttl=5m]'.")
    String authToken;

    @Option(names = "--auth-token-ttl", defaultValue = "300",
        description = "The lifetime in seconds of a simple auth token after its last use.")
    long authTokenTtlSeconds;

    @Option(names = "--bcrypt-cost", defaultValue = "10",
        description = "Specify bcrypt algorithm cost factor for auth password hashing (4..31).")
    int bcryptCost;

    // Tests only: etcd's WAL segments are always 64 MiB; crash tests need segments small enough to be
    // released within a short run. Hidden from --help.
    @Option(names = "--cairn-test-wal-segment-bytes", defaultValue = "67108864", hidden = true)
    long walSegmentBytes;

    // Logging
    @Option(names = "--logger", defaultValue = "capnslog",
        description = "Specify 'zap' for structured logging (one JSON object per line) or 'capnslog' (plain lines).")
    String logger;

    @Option(names = "--log-outputs", defaultValue = "default",
        description = "Specify 'stdout' or 'stderr', or (with --logger=zap) a comma separated list of output "
            + "targets: stdout, stderr, file paths. 'default' is stderr.")
    String logOutputs;

    @Option(names = "--log-level", defaultValue = "info",
        description = "Configures log level. Only supports debug, info, warn, error, panic, or fatal.")
    String logLevel;
}
