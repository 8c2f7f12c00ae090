package io.cairn.engine.config;

import io.cairn.engine.auth.Passwords;
import io.cairn.engine.auth.TokenSettings;
import io.cairn.engine.auth.Tokens;
import io.cairn.engine.tls.CipherSuites;
import io.cairn.engine.tls.TlsSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Validated server settings, built from the command line and environment by {@link #from}.
 * Grouped as an operator reads them: where the data lives, Raft's timing, the URLs, how the
 * cluster starts, the request limits, and TLS.
 */
public record ServerConfig(
    String name,
    Storage storage,
    Timing timing,
    Urls urls,
    Bootstrap bootstrap,
    Limits limits,
    AutoCompaction autoCompaction,
    Duration leaseCheckpointInterval,
    CorruptCheck corruptCheck,
    LogSettings logging,
    Security security) {

    /** The TLS flags and the auth flags. */
    public record Security(Tls tls, Auth auth) {
    }

    /** --auth-token (with --auth-token-ttl for simple tokens) and --bcrypt-cost. */
    public record Auth(TokenSettings tokens, int bcryptCost) {
    }

    /**
     * The TLS flags of client URLs (--cert-file, --key-file, --trusted-ca-file, --client-cert-auth,
     * --auto-tls) and of peer URLs (the same with --peer-, and --peer-cert-allowed-cn); --cipher-suites
     * applies to both. {@link ServerTls} loads them.
     */
    public record Tls(TlsSettings client, TlsSettings peer) {
    }

    /**
     * --experimental-initial-corrupt-check and --experimental-corrupt-check-time ({@code interval}
     * zero: no periodic check).
     */
    public record CorruptCheck(boolean initial, Duration interval) {
    }

    /** --data-dir, --wal-dir, --snapshot-count, and the WAL's segment size. */
    public record Storage(Path dataDir, Path walDir, long snapshotCount, long walSegmentBytes) {
    }

    /** --heartbeat-interval and --election-timeout. */
    public record Timing(long heartbeatIntervalMillis, long electionTimeoutMillis) {
    }

    /** The URLs this member listens on and advertises; {@code listenMetricsUrls} may be empty. */
    public record Urls(List<URI> listenPeerUrls, List<URI> listenClientUrls, List<URI> advertiseClientUrls,
                       List<URI> initialAdvertisePeerUrls, List<URI> listenMetricsUrls) {
    }

    /**
     * --initial-cluster, --initial-cluster-state, --initial-cluster-token, and --strict-reconfig-check
     * (membership changes that would leave too few started or connected members are refused).
     */
    public record Bootstrap(InitialCluster initialCluster, ClusterState initialClusterState, String initialClusterToken,
                            boolean strictReconfigCheck) {
    }

    /** --quota-backend-bytes (as in force: 0 became the default), --max-txn-ops, --max-request-bytes. */
    public record Limits(long quotaBackendBytes, int maxTxnOps, long maxRequestBytes) {
    }

    public enum ClusterState { NEW, EXISTING }

    /** etcd's default quota when --quota-backend-bytes is 0. */
    public static final long DEFAULT_QUOTA_BACKEND_BYTES = 2L * 1024 * 1024 * 1024;
    /** A negative --quota-backend-bytes disables the quota, as in etcd. */
    public static final long QUOTA_DISABLED = -1;
    /** The largest value the backend stores (btree-mmap's value limit). */
    public static final long MAX_REQUEST_BYTES_MAX = 10L * 1024 * 1024;
    private static final long ELECTION_TIMEOUT_MILLIS_MAX = 50_000;

    /** Validates the raw flag values; throws {@link IllegalArgumentException} with a one-line reason. */
    public static ServerConfig from(final ServerFlags flags) {
        require(!flags.name.isBlank(), "--name must not be empty");
        final Path dataDir = Path.of(flags.dataDir.isEmpty() ? flags.name + ".cairn" : flags.dataDir);
        final Path walDir = flags.walDir.isEmpty() ? dataDir.resolve("member").resolve("wal") : Path.of(flags.walDir);
        require(flags.snapshotCount > 0, "--snapshot-count must be positive, got " + flags.snapshotCount);
        require(flags.heartbeatIntervalMillis > 0,
            "--heartbeat-interval must be positive, got " + flags.heartbeatIntervalMillis);
        require(flags.electionTimeoutMillis >= 5 * flags.heartbeatIntervalMillis,
            "--election-timeout[" + flags.electionTimeoutMillis + "] should be at least as 5 times as "
                + "--heartbeat-interval[" + flags.heartbeatIntervalMillis + "]");
        require(flags.electionTimeoutMillis <= ELECTION_TIMEOUT_MILLIS_MAX,
            "--election-timeout[" + flags.electionTimeoutMillis + "] is too long, and should be set less than "
                + ELECTION_TIMEOUT_MILLIS_MAX + " ms");

        final List<URI> advertisePeerUrls =
            UrlList.parse("--initial-advertise-peer-urls", flags.initialAdvertisePeerUrls);
        final InitialCluster cluster = InitialCluster.parse(flags.initialCluster.isEmpty()
            ? flags.name + "=" + flags.initialAdvertisePeerUrls.split(",", -1)[0]
            : flags.initialCluster);
        final List<URI> ownPeerUrls = cluster.peerUrlsByName().get(flags.name);
        require(ownPeerUrls != null,
            "couldn't find local name \"" + flags.name + "\" in the initial cluster configuration");
        require(Set.copyOf(ownPeerUrls).equals(Set.copyOf(advertisePeerUrls)),
            "--initial-cluster has " + flags.name + "=" + ownPeerUrls + " but missing from "
                + "--initial-advertise-peer-urls=" + advertisePeerUrls);

        final ClusterState state = switch (flags.initialClusterState) {
            case "new" -> ClusterState.NEW;
            case "existing" -> ClusterState.EXISTING;
            default -> throw new IllegalArgumentException(
                "--initial-cluster-state must be 'new' or 'existing', got \"" + flags.initialClusterState + "\"");
        };
        require(!flags.initialClusterToken.isEmpty(), "--initial-cluster-token must not be empty");

        final long quota = flags.quotaBackendBytes < 0 ? QUOTA_DISABLED
            : flags.quotaBackendBytes == 0 ? DEFAULT_QUOTA_BACKEND_BYTES : flags.quotaBackendBytes;
        require(flags.maxTxnOps > 0, "--max-txn-ops must be positive, got " + flags.maxTxnOps);
        require(flags.maxRequestBytes > 0 && flags.maxRequestBytes <= MAX_REQUEST_BYTES_MAX,
            "--max-request-bytes must be between 1 and " + MAX_REQUEST_BYTES_MAX + ", got " + flags.maxRequestBytes);
        final LogSettings logging = LogSettings.parse(flags.logger, flags.logOutputs, flags.logLevel);
        final Urls urls = new Urls(
            UrlList.parse("--listen-peer-urls", flags.listenPeerUrls),
            UrlList.parse("--listen-client-urls", flags.listenClientUrls),
            UrlList.parse("--advertise-client-urls", flags.advertiseClientUrls),
            advertisePeerUrls,
            flags.listenMetricsUrls.isEmpty() ? List.of() : UrlList.parse("--listen-metrics-urls", flags.listenMetricsUrls));
        final Tls tls = tls(flags, urls);

        return new ServerConfig(
            flags.name,
            new Storage(dataDir, walDir, flags.snapshotCount, flags.walSegmentBytes),
            new Timing(flags.heartbeatIntervalMillis, flags.electionTimeoutMillis),
            urls,
            new Bootstrap(cluster, state, flags.initialClusterToken, flags.strictReconfigCheck),
            new Limits(quota, flags.maxTxnOps, flags.maxRequestBytes),
            AutoCompaction.parse(flags.autoCompactionMode, flags.autoCompactionRetention),
            leaseCheckpointInterval(flags.leaseCheckpointInterval),
            new CorruptCheck(flags.initialCorruptCheck, corruptCheckTime(flags.corruptCheckTime)),
            logging,
            new Security(tls, auth(flags)));
    }

    /**
     * The TLS flags, with the checks etcd 3.4 makes (its texts where it has one): a certificate
     * needs its key and the reverse; an https URL needs a certificate or auto TLS. What etcd only
     * warns about (certificates given while every URL is http) is logged at start ({@link ServerTls}).
     */
    private static Tls tls(final ServerFlags flags, final Urls urls) {
        final List<String> cipherSuites = CipherSuites.parse(flags.cipherSuites);
        final TlsSettings client = new TlsSettings(path(flags.certFile), path(flags.keyFile), path(flags.trustedCaFile),
            flags.clientCertAuth, flags.autoTls, null, cipherSuites);
        final TlsSettings peer = new TlsSettings(path(flags.peerCertFile), path(flags.peerKeyFile),
            path(flags.peerTrustedCaFile), flags.peerClientCertAuth, flags.peerAutoTls,
            flags.peerCertAllowedCn.isEmpty() ? null : flags.peerCertAllowedCn, cipherSuites);
        requireBothOrNeither(client);
        requireBothOrNeither(peer);
        for (final URI url : urls.listenClientUrls()) {
            require(!UrlList.isTls(url) || client.enabled(), "TLS key/cert (--cert-file, --key-file) must be provided "
                + "for client url " + url + " with HTTPS scheme");
        }
        for (final URI url : urls.listenMetricsUrls()) {
            require(!UrlList.isTls(url) || client.enabled(), "cannot listen on TLS for " + url.getRawAuthority()
                + ": KeyFile and CertFile are not presented (--listen-metrics-urls " + url + " uses the client TLS "
                + "flags --cert-file and --key-file)");
        }
        for (final URI url : urls.listenPeerUrls()) {
            require(!UrlList.isTls(url) || peer.enabled(), "cannot listen on TLS for " + url.getRawAuthority()
                + ": KeyFile and CertFile are not presented (--listen-peer-urls " + url + " needs --peer-cert-file and "
                + "--peer-key-file, or --peer-auto-tls)");
        }
        return new Tls(client, peer);
    }

    /** etcd's {@code baseConfig}: one without the other is an error. */
    private static void requireBothOrNeither(final TlsSettings side) {
        require((side.certFile() == null) == (side.keyFile() == null), "KeyFile and CertFile must both be present[key: "
            + (side.keyFile() == null ? "" : side.keyFile()) + ", cert: " + (side.certFile() == null ? ""
            : side.certFile()) + "]");
    }

    private static Path path(final String flag) {
        return flag.isEmpty() ? null : Path.of(flag);
    }

    private static Auth auth(final ServerFlags flags) {
        require(flags.bcryptCost >= Passwords.MIN_COST && flags.bcryptCost <= Passwords.MAX_COST,
            "--bcrypt-cost must be between " + Passwords.MIN_COST + " and " + Passwords.MAX_COST + ", got "
                + flags.bcryptCost);
        require(flags.authTokenTtlSeconds > 0, "--auth-token-ttl must be positive, got " + flags.authTokenTtlSeconds);
        final TokenSettings tokens = TokenSettings.parse(flags.authToken, Duration.ofSeconds(flags.authTokenTtlSeconds),
            text -> duration("--auth-token ttl", text));
        if (tokens instanceof TokenSettings.Jwt jwt) {
            Tokens.create(jwt); // reads and checks the key files now: a bad one stops the start, not the first login
        }
        return new Auth(tokens, flags.bcryptCost);
    }

    private static Duration corruptCheckTime(final String text) {
        final Duration interval = duration("--experimental-corrupt-check-time", text);
        require(!interval.isNegative(), "--experimental-corrupt-check-time must not be negative, got " + text);
        return interval;
    }

    private static Duration leaseCheckpointInterval(final String text) {
        final Duration interval = duration("--experimental-lease-checkpoint-interval", text);
        require(interval.isPositive(), "--experimental-lease-checkpoint-interval must be positive, got " + text);
        return interval;
    }

    /** A Go duration flag's value; a bad one is refused naming the flag. */
    private static Duration duration(final String flag, final String text) {
        try {
            return GoDuration.parse(text);
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage(), e);
        }
    }

    private static void require(final boolean condition, final String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
