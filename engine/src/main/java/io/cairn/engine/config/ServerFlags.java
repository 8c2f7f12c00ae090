package io.cairn.engine.config;

import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The server's command line: etcd 3.4's flag names, defaults and help texts, so that unit files
 * and container specs written for etcd start Cairn unchanged. Values are raw here; {@link
 * ServerConfig#from} validates them and turns them into typed settings.
 *
 * <p>Picocli's model of these flags is built by {@link #spec} rather than read from annotations:
 * reading ~50 annotated fields by reflection (an annotation proxy, a field accessor each) cost
 * 100-200 ms of every member's start, on a JVM whose ahead-of-time cache cannot hold picocli's own
 * classes (they are compiled for Java 5). engine/README.md, "Restart", has the figures.
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

    /** Picocli's model of the server's command line; parsing it sets the fields of {@code flags}. */
    static CommandSpec spec(final ServerFlags flags) {
        final CommandSpec spec = CommandSpec.create().name("cairn");
        spec.usageMessage().sortOptions(false).width(100)
            .description("Start a Cairn server: an etcd-compatible key-value store (etcd's v3 API and flags).")
            .footer("", "Every flag can also be set through its etcd environment variable: --snapshot-count is "
                + "ETCD_SNAPSHOT_COUNT. A flag given on the command line may not also be set in the environment.");
        final Options options = new Options(spec);
        options.usageHelp("Show this help and exit.", v -> flags.help = v, "-h", "--help");
        options.versionHelp("Print the version and exit.", v -> flags.version = v, "--version");
        // Member
        options.string("--name", "default", "Human-readable name for this member.", v -> flags.name = v);
        options.string("--data-dir", "", "Path to the data directory (default: <name>.cairn).", v -> flags.dataDir = v);
        options.string("--wal-dir", "", "Path to a dedicated WAL directory.", v -> flags.walDir = v);
        options.longValue("--snapshot-count", "100000",
            "Number of committed transactions to trigger a snapshot to disk.",
            v -> flags.snapshotCount = v);
        options.longValue("--heartbeat-interval", "100",
            "Time (in milliseconds) of a heartbeat interval.",
            v -> flags.heartbeatIntervalMillis = v);
        options.longValue("--election-timeout", "1000",
            "Time (in milliseconds) for an election to timeout.",
            v -> flags.electionTimeoutMillis = v);
        options.string("--listen-peer-urls", "http://localhost:2380",
            "List of URLs to listen on for peer traffic.",
            v -> flags.listenPeerUrls = v);
        options.string("--listen-client-urls", "http://localhost:2379",
            "List of URLs to listen on for client traffic.",
            v -> flags.listenClientUrls = v);
        options.string("--listen-metrics-urls", "",
            "List of URLs to listen on for the metrics and health endpoints.",
            v -> flags.listenMetricsUrls = v);
        options.longValue("--quota-backend-bytes", "0",
            "Raise alarms when backend size exceeds the given quota (0 defaults to 2 GiB).",
            v -> flags.quotaBackendBytes = v);
        options.intValue("--max-txn-ops", "128",
            "Maximum number of operations permitted in a transaction.",
            v -> flags.maxTxnOps = v);
        options.longValue("--max-request-bytes", "1572864",
            "Maximum client request size in bytes the server will accept.",
            v -> flags.maxRequestBytes = v);
        // Clustering
        options.string("--initial-advertise-peer-urls", "http://localhost:2380",
            "List of this member's peer URLs to advertise to the rest of the cluster.",
            v -> flags.initialAdvertisePeerUrls = v);
        options.string("--initial-cluster", "",
            "Initial cluster configuration for bootstrapping (default: "
            + "<name>=<initial-advertise-peer-urls>).",
            v -> flags.initialCluster = v);
        options.string("--initial-cluster-state", "new",
            "Initial cluster state ('new' or 'existing').",
            v -> flags.initialClusterState = v);
        options.flag("--strict-reconfig-check", "true",
            "Reject reconfiguration requests that would cause quorum loss.",
            v -> flags.strictReconfigCheck = v);
        options.string("--initial-cluster-token", "etcd-cluster",
            "Initial cluster token for the cluster during bootstrap.",
            v -> flags.initialClusterToken = v);
        options.string("--advertise-client-urls", "http://localhost:2379",
            "List of this member's client URLs to advertise to the public.",
            v -> flags.advertiseClientUrls = v);
        options.string("--auto-compaction-retention", "0",
            "Auto compaction retention length. 0 means disable auto compaction.",
            v -> flags.autoCompactionRetention = v);
        options.string("--auto-compaction-mode", "periodic",
            "Interpret 'auto-compaction-retention' one of: periodic|revision. 'periodic' for duration based "
            + "retention, defaulting to hours if no time unit is provided (e.g. '5m'). 'revision' for revision "
            + "number based retention.",
            v -> flags.autoCompactionMode = v);
        options.flag("--experimental-initial-corrupt-check", "false",
            "Before serving, compare this member's HashKV with every peer's and refuse to start if one "
            + "differs at the same compaction.",
            v -> flags.initialCorruptCheck = v);
        options.string("--experimental-corrupt-check-time", "0s",
            "How often the leader compares its HashKV with the followers' (a duration; 0s: never); a "
            + "difference raises the CORRUPT alarm, which refuses writes until disarmed.",
            v -> flags.corruptCheckTime = v);
        options.string("--experimental-lease-checkpoint-interval", "5m",
            "How often the leader persists leases' remaining TTLs (a duration, e.g. '5m'), so a restart "
            + "resumes them. Cairn always checkpoints (etcd 3.4 only with "
            + "--experimental-enable-lease-checkpoint).",
            v -> flags.leaseCheckpointInterval = v);
        // Security (etcd 3.4's names and help texts)
        options.string("--cert-file", "", "Path to the client server TLS cert file.", v -> flags.certFile = v);
        options.string("--key-file", "", "Path to the client server TLS key file.", v -> flags.keyFile = v);
        options.flag("--client-cert-auth", "false",
            "Enable client cert authentication.",
            v -> flags.clientCertAuth = v);
        options.string("--trusted-ca-file", "",
            "Path to the client server TLS trusted CA cert file.",
            v -> flags.trustedCaFile = v);
        options.flag("--auto-tls", "false", "Client TLS using generated certificates", v -> flags.autoTls = v);
        options.string("--peer-cert-file", "", "Path to the peer server TLS cert file.", v -> flags.peerCertFile = v);
        options.string("--peer-key-file", "", "Path to the peer server TLS key file.", v -> flags.peerKeyFile = v);
        options.flag("--peer-client-cert-auth", "false",
            "Enable peer client cert authentication.",
            v -> flags.peerClientCertAuth = v);
        options.string("--peer-trusted-ca-file", "",
            "Path to the peer server TLS trusted CA file.",
            v -> flags.peerTrustedCaFile = v);
        options.flag("--peer-auto-tls", "false", "Peer TLS using generated certificates", v -> flags.peerAutoTls = v);
        options.string("--peer-cert-allowed-cn", "",
            "Allowed CN for inter peer authentication.",
            v -> flags.peerCertAllowedCn = v);
        options.string("--cipher-suites", "",
            "Comma-separated list of supported TLS cipher suites between client/server and peers (empty will "
            + "be auto-populated by the Java runtime). Go's names, as etcd takes them.",
            v -> flags.cipherSuites = v);
        // Auth
        options.string("--auth-token", "simple",
            "Specify auth token specific options: 'simple', or "
            + "'jwt,pub-key=FILE,priv-key=FILE,sign-method=RS256[,ttl=5m]'.",
            v -> flags.authToken = v);
        options.longValue("--auth-token-ttl", "300",
            "The lifetime in seconds of a simple auth token after its last use.",
            v -> flags.authTokenTtlSeconds = v);
        options.intValue("--bcrypt-cost", "10",
            "Specify bcrypt algorithm cost factor for auth password hashing (4..31).",
            v -> flags.bcryptCost = v);
        // Tests only: etcd's WAL segments are always 64 MiB; crash tests need segments small enough to be
        // released within a short run. Hidden from --help.
        options.hidden(OptionSpec.builder("--cairn-test-wal-segment-bytes").type(long.class).defaultValue("67108864"),
            (Long v) -> flags.walSegmentBytes = v);
        // Logging
        options.string("--logger", "capnslog",
            "Specify 'zap' for structured logging (one JSON object per line) or 'capnslog' (plain lines).",
            v -> flags.logger = v);
        options.string("--log-outputs", "default",
            "Specify 'stdout' or 'stderr', or (with --logger=zap) a comma separated list of output targets: "
            + "stdout, stderr, file paths. 'default' is stderr.",
            v -> flags.logOutputs = v);
        options.string("--log-level", "info",
            "Configures log level. Only supports debug, info, warn, error, panic, or fatal.",
            v -> flags.logLevel = v);
        return spec;
    }

    /** Adds options to a command; each sets its field through a {@link Binding}. */
    private record Options(CommandSpec spec) {
        void usageHelp(final String description, final Consumer<Boolean> field, final String... names) {
            spec.addOption(bind(OptionSpec.builder(names).type(boolean.class).usageHelp(true), field)
                .description(description).build());
        }

        void versionHelp(final String description, final Consumer<Boolean> field, final String... names) {
            spec.addOption(bind(OptionSpec.builder(names).type(boolean.class).versionHelp(true), field)
                .description(description).build());
        }

        void string(final String name, final String defaultValue, final String description,
            final Consumer<String> field) {
            add(OptionSpec.builder(name).type(String.class), defaultValue, description, field);
        }

        void longValue(final String name, final String defaultValue, final String description,
            final Consumer<Long> field) {
            add(OptionSpec.builder(name).type(long.class), defaultValue, description, field);
        }

        void intValue(final String name, final String defaultValue, final String description,
            final Consumer<Integer> field) {
            add(OptionSpec.builder(name).type(int.class), defaultValue, description, field);
        }

        /** A boolean flag that also takes an explicit value (--auto-tls=false), as Go's flags do. */
        void flag(final String name, final String defaultValue, final String description,
            final Consumer<Boolean> field) {
            add(OptionSpec.builder(name).type(boolean.class).arity("0..1"), defaultValue, description, field);
        }

        /** An option left out of --help. */
        <T> void hidden(final OptionSpec.Builder builder, final Consumer<T> field) {
            spec.addOption(bind(builder, field).hidden(true).build());
        }

        /** The value's label in --help is the flag's name: --snapshot-count=&lt;snapshot-count&gt;. */
        private <T> void add(final OptionSpec.Builder builder, final String defaultValue, final String description,
            final Consumer<T> field) {
            spec.addOption(bind(builder, field).defaultValue(defaultValue).description(description)
                .paramLabel("<" + builder.names()[0].substring(2) + ">").build());
        }

        private static <T> OptionSpec.Builder bind(final OptionSpec.Builder builder, final Consumer<T> field) {
            final Binding<T> binding = new Binding<>(field);
            return builder.setter(binding).getter(binding);
        }
    }

    /** An option's value: picocli sets it (converted to the option's type), and it goes on to the field. */
    private static final class Binding<V> implements ISetter, IGetter {
        private final Consumer<V> field;
        private Object value;

        Binding(final Consumer<V> field) {
            this.field = field;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            return (T)value;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T set(final T newValue) {
            final T old = (T)value;
            value = newValue;
            if (newValue != null) { // picocli resets an option to "no initial value" before a parse
                field.accept((V)newValue);
            }
            return old;
        }
    }
}
