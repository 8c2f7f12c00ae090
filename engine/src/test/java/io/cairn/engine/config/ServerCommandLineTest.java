package io.cairn.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.auth.TokenSettings;
import io.cairn.engine.tls.TlsSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServerCommandLineTest {
    private final List<String> warnings = new ArrayList<>();

    private ServerCommandLine.Outcome parse(final Map<String, String> env, final String... args) {
        return ServerCommandLine.parse(List.of(args), env, "cairn Version: test", warnings::add);
    }

    private ServerConfig run(final Map<String, String> env, final String... args) {
        return assertInstanceOf(ServerCommandLine.Outcome.Run.class, parse(env, args)).config();
    }

    private String usageError(final Map<String, String> env, final String... args) {
        return assertInstanceOf(ServerCommandLine.Outcome.UsageError.class, parse(env, args)).message();
    }

    @Test
    void defaultsAreEtcds() {
        final ServerConfig config = run(Map.of());
        assertEquals("default", config.name());
        assertEquals(Path.of("default.cairn"), config.storage().dataDir());
        assertEquals(Path.of("default.cairn", "member", "wal"), config.storage().walDir());
        assertEquals(List.of(URI.create("http://localhost:2379")), config.urls().listenClientUrls());
        assertEquals(List.of(URI.create("http://localhost:2379")), config.urls().advertiseClientUrls());
        assertEquals(List.of(URI.create("http://localhost:2380")), config.urls().listenPeerUrls());
        assertEquals(Map.of("default", List.of(URI.create("http://localhost:2380"))),
            config.bootstrap().initialCluster().peerUrlsByName());
        assertEquals(ServerConfig.ClusterState.NEW, config.bootstrap().initialClusterState());
        assertEquals("etcd-cluster", config.bootstrap().initialClusterToken());
        assertEquals(100_000, config.storage().snapshotCount());
        assertEquals(1_572_864, config.limits().maxRequestBytes());
        assertEquals(128, config.limits().maxTxnOps());
        assertEquals(ServerConfig.DEFAULT_QUOTA_BACKEND_BYTES, config.limits().quotaBackendBytes());
        assertEquals(100, config.timing().heartbeatIntervalMillis());
        assertEquals(1000, config.timing().electionTimeoutMillis());
        assertEquals(false, config.autoCompaction().enabled());
        assertEquals(LogSettings.defaults(), config.logging());
        assertEquals(List.of(), warnings);
    }

    @Test
    void nameSetsDefaultDataDirAndInitialCluster() {
        final ServerConfig config = run(Map.of(), "--name", "infra1",
            "--initial-advertise-peer-urls", "http://127.0.0.1:12380");
        assertEquals(Path.of("infra1.cairn"), config.storage().dataDir());
        assertEquals(Map.of("infra1", List.of(URI.create("http://127.0.0.1:12380"))),
            config.bootstrap().initialCluster().peerUrlsByName());
    }

    @Test
    void flagsTakeOneOrTwoDashesAndEqualsOrSpace() {
        final ServerConfig config = run(Map.of(), "-name=a", "--data-dir", "/var/lib/a", "-snapshot-count", "5",
            "--wal-dir=/wal", "--listen-client-urls=http://127.0.0.1:1,http://10.1.2.3:2");
        assertEquals("a", config.name());
        assertEquals(Path.of("/var/lib/a"), config.storage().dataDir());
        assertEquals(Path.of("/wal"), config.storage().walDir());
        assertEquals(5, config.storage().snapshotCount());
        assertEquals(List.of(URI.create("http://127.0.0.1:1"), URI.create("http://10.1.2.3:2")),
            config.urls().listenClientUrls());
    }

    @Test
    void environmentSetsFlagsThatAreAbsent() {
        final ServerConfig config = run(Map.of("ETCD_NAME", "env-name", "ETCD_SNAPSHOT_COUNT", "42",
            "ETCD_AUTO_COMPACTION_MODE", "revision", "ETCD_AUTO_COMPACTION_RETENTION", "1000", "PATH", "/bin"));
        assertEquals("env-name", config.name());
        assertEquals(42, config.storage().snapshotCount());
        assertEquals(new AutoCompaction(AutoCompaction.Mode.REVISION, Duration.ZERO, 1000), config.autoCompaction());
    }

    @Test
    void environmentAndFlagTogetherIsAnError() {
        assertEquals("conflicting environment variable \"ETCD_NAME\" is shadowed by corresponding command-line "
            + "flag (either unset environment variable or disable flag)", usageError(Map.of("ETCD_NAME", "x"),
            "--name", "y"));
    }

    @Test
    void unknownEnvironmentVariableIsAWarning() {
        run(Map.of("ETCD_FOO", "1"));
        assertEquals(List.of("unrecognized environment variable ETCD_FOO=1"), warnings);
    }

    @Test
    void malformedEnvironmentValueNamesTheVariable() {
        final String message = usageError(Map.of("ETCD_SNAPSHOT_COUNT", "abc"));
        assertTrue(message.startsWith("invalid value in ETCD_SNAPSHOT_COUNT: "), message);
        assertTrue(message.contains("abc"), message);
    }

    @Test
    void unknownFlagIsAnError() {
        assertTrue(usageError(Map.of(), "--foo").contains("--foo"));
    }

    @Test
    void malformedFlagValueIsAnError() {
        assertTrue(usageError(Map.of(), "--snapshot-count=abc").contains("abc"));
    }

    @Test
    void tlsFlagsAndHttpsUrlsAreTaken() {
        final ServerConfig config = run(Map.of("ETCD_TRUSTED_CA_FILE", "/ca.pem", "ETCD_PEER_AUTO_TLS", "true"),
            "--cert-file=/c.pem", "--key-file", "/k.pem", "--client-cert-auth",
            "--listen-client-urls", "https://127.0.0.1:2379,http://127.0.0.1:12379",
            "--listen-peer-urls", "https://127.0.0.1:2380", "--initial-advertise-peer-urls", "https://127.0.0.1:2380",
            "--peer-cert-allowed-cn", "member", "--cipher-suites",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305");
        assertEquals(List.of(URI.create("https://127.0.0.1:2379"), URI.create("http://127.0.0.1:12379")),
            config.urls().listenClientUrls());
        assertEquals(new TlsSettings(Path.of("/c.pem"), Path.of("/k.pem"), Path.of("/ca.pem"), true, false, null,
            List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256")),
            config.security().tls().client());
        assertTrue(config.security().tls().peer().usesAutoTls());
        assertEquals("member", config.security().tls().peer().allowedCn());
        assertEquals(Map.of("default", List.of(URI.create("https://127.0.0.1:2380"))),
            config.bootstrap().initialCluster().peerUrlsByName());
        assertEquals(TlsSettings.none(), run(Map.of()).security().tls().client());
    }

    @Test
    void tlsMisconfigurationsAreRefusedWithEtcdsWords() {
        assertEquals("TLS key/cert (--cert-file, --key-file) must be provided for client url https://127.0.0.1:2379 "
            + "with HTTPS scheme", usageError(Map.of(), "--listen-client-urls=https://127.0.0.1:2379"));
        assertEquals("KeyFile and CertFile must both be present[key: , cert: /c.pem]",
            usageError(Map.of(), "--cert-file=/c.pem"));
        assertEquals("KeyFile and CertFile must both be present[key: /k.pem, cert: ]",
            usageError(Map.of(), "--peer-key-file=/k.pem"));
        assertTrue(usageError(Map.of(), "--listen-peer-urls=https://127.0.0.1:2380")
            .startsWith("cannot listen on TLS for 127.0.0.1:2380: KeyFile and CertFile are not presented"));
        assertTrue(usageError(Map.of(), "--listen-metrics-urls=https://127.0.0.1:2381")
            .startsWith("cannot listen on TLS for 127.0.0.1:2381: KeyFile and CertFile are not presented"));
        assertEquals("unexpected TLS cipher suite \"TLS_FOO\"", usageError(Map.of(), "--cipher-suites=TLS_FOO"));
        assertTrue(usageError(Map.of(), "--listen-client-urls=unixs://x:1").contains("http or https"));
        // --auto-tls alone serves https, as in etcd
        run(Map.of(), "--auto-tls", "--listen-client-urls=https://127.0.0.1:2379");
    }

    @Test
    void aBooleanFlagAloneIsTrueAsInGoEvenWhereTheDefaultIsTrue() {
        assertEquals(true, run(Map.of(), "--strict-reconfig-check").bootstrap().strictReconfigCheck());
        assertEquals(false, run(Map.of(), "--strict-reconfig-check=false").bootstrap().strictReconfigCheck());
        // The same through picocli (a number with a leading zero is never parsed plainly).
        assertEquals(true, run(Map.of(), "--strict-reconfig-check", "--snapshot-count=010").bootstrap()
            .strictReconfigCheck());
    }

    @Test
    void tlsFeaturesCairnLacksAreRefusedNotIgnored() {
        assertEquals("flag --client-crl-file is not supported by Cairn yet",
            usageError(Map.of(), "--client-crl-file=/crl.pem"));
        assertEquals("flag --peer-cert-allowed-hostname is not supported by Cairn yet",
            usageError(Map.of(), "--peer-cert-allowed-hostname=a"));
    }

    @Test
    void authFlagsAreEtcds() {
        final ServerConfig defaults = run(Map.of());
        assertEquals(new ServerConfig.Auth(new TokenSettings.Simple(Duration.ofSeconds(300)), 10),
            defaults.security().auth());
        assertEquals(new ServerConfig.Auth(new TokenSettings.Simple(Duration.ofSeconds(60)), 4),
            run(Map.of("ETCD_AUTH_TOKEN_TTL", "60"), "--bcrypt-cost", "4").security().auth());
        assertEquals("--bcrypt-cost must be between 4 and 31, got 3", usageError(Map.of(), "--bcrypt-cost=3"));
        assertEquals("--auth-token-ttl must be positive, got 0", usageError(Map.of(), "--auth-token-ttl=0"));
        assertEquals("--auth-token: unknown token type \"magic\" (simple or jwt)",
            usageError(Map.of("ETCD_AUTH_TOKEN", "magic")));
        assertTrue(usageError(Map.of(), "--auth-token", "jwt,sign-method=RS256,priv-key=/nonexistent.pem")
            .startsWith("--auth-token: cannot read the JWT keys"), String.valueOf(warnings));
    }

    @Test
    void harmlessEtcdFlagsAreAcceptedWithAWarning() {
        run(Map.of(), "--debug", "--pre-vote", "--max-wals=3");
        assertEquals(3, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("--debug"));
    }

    @Test
    void multiMemberClusterIsAccepted() {
        final ServerConfig config = ((ServerCommandLine.Outcome.Run) ServerCommandLine.parse(List.of("--name", "a",
            "--initial-advertise-peer-urls", "http://127.0.0.1:1",
            "--initial-cluster", "a=http://127.0.0.1:1,b=http://127.0.0.1:2"), Map.of(), "v", warnings::add)).config();
        assertEquals(List.of("a", "b"), List.copyOf(config.bootstrap().initialCluster().peerUrlsByName().keySet()));
    }

    @Test
    void localNameMustBeInInitialCluster() {
        assertEquals("couldn't find local name \"default\" in the initial cluster configuration",
            usageError(Map.of(), "--initial-cluster", "x=http://localhost:2380"));
    }

    @Test
    void helpAndVersionPrint() {
        final String help = assertInstanceOf(ServerCommandLine.Outcome.Print.class, parse(Map.of(), "--help")).text();
        assertTrue(help.contains("--listen-client-urls"), help);
        assertTrue(help.contains("ETCD_SNAPSHOT_COUNT"), help);
        assertEquals("cairn Version: test",
            assertInstanceOf(ServerCommandLine.Outcome.Print.class, parse(Map.of(), "--version")).text());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--snapshot-count=0|--snapshot-count must be positive",
        "--election-timeout=400|should be at least as 5 times as --heartbeat-interval",
        "--initial-cluster-state=old|--initial-cluster-state must be 'new' or 'existing'",
        "--max-request-bytes=0|--max-request-bytes must be between",
        "--auto-compaction-mode=foo|unknown auto-compaction-mode",
        "--log-level=loud|unknown level \"loud\" for --log-level (only supports debug, info, warn, error, panic, or fatal)",
        "--log-level=INFO|unknown level \"INFO\"",
        "--listen-client-urls=localhost:2379|URL scheme must be http",
        "--listen-client-urls=http://localhost|needs a host and a port",
        "--listen-client-urls=http://localhost:2379/v3|must not have a path",
        "--initial-cluster=default|is not name=URL",
    })
    void badValuesGetAClearError(final String arg, final String expectedPart) {
        final String message = usageError(Map.of(), arg);
        assertTrue(message.contains(expectedPart), message);
    }

    @ParameterizedTest
    @CsvSource({"0,PT0S", "1,PT1H", "24,PT24H", "5m,PT5M", "1h30m,PT1H30M", "90s,PT1M30S"})
    void periodicRetentionIsHoursOrADuration(final String retention, final String expected) {
        final ServerConfig config = run(Map.of(), "--auto-compaction-retention=" + retention);
        assertEquals(Duration.parse(expected), config.autoCompaction().retention());
        assertEquals(!retention.equals("0"), config.autoCompaction().enabled());
    }

    @Test
    void metricsUrlsAreOptional() {
        assertEquals(List.of(), run(Map.of()).urls().listenMetricsUrls());
        assertEquals(List.of(URI.create("http://127.0.0.1:2381")),
            run(Map.of(), "--listen-metrics-urls=http://127.0.0.1:2381").urls().listenMetricsUrls());
        assertEquals(List.of(URI.create("http://127.0.0.1:2381")),
            run(Map.of("ETCD_LISTEN_METRICS_URLS", "http://127.0.0.1:2381")).urls().listenMetricsUrls());
    }

    @Test
    void negativeQuotaDisablesIt() {
        assertEquals(ServerConfig.QUOTA_DISABLED, run(Map.of(), "--quota-backend-bytes=-5").limits().quotaBackendBytes());
        assertEquals(12_345, run(Map.of(), "--quota-backend-bytes=12345").limits().quotaBackendBytes());
    }

    @Test
    void revisionRetentionMustBeANumber() {
        assertTrue(usageError(Map.of(), "--auto-compaction-mode=revision", "--auto-compaction-retention=5m")
            .contains("number of revisions"));
    }

    // Logging flags: etcd 3.4's values, and its error texts (run etcd 3.4.23 with the same flag to compare).

    @Test
    void loggerOutputsAndLevelAreEtcds() {
        assertEquals(new LogSettings(LogSettings.Format.ZAP, List.of("/var/log/cairn.log", "stdout"), "warn"),
            run(Map.of(), "--logger=zap", "--log-outputs", "stdout,/var/log/cairn.log,stdout", "--log-level=warn")
                .logging());
        assertEquals(new LogSettings(LogSettings.Format.CAPNSLOG, List.of("stdout"), "debug"),
            run(Map.of(), "-logger", "capnslog", "-log-outputs=stdout", "-log-level=debug").logging());
        assertEquals(List.of("stderr"), run(Map.of(), "--logger=zap").logging().outputs(), "default is stderr");
        assertEquals(List.of("/dev/null"), run(Map.of(), "--logger=zap", "--log-outputs=stderr,/dev/null")
            .logging().outputs(), "zap discards everything when one output is /dev/null");
        assertEquals("dpanic", run(Map.of(), "--log-level=dpanic").logging().level(), "etcd takes zap's dpanic too");
        assertEquals(List.of(), warnings, "the logging flags are no longer ignored");
    }

    @Test
    void loggingFlagsHaveTheirEnvironmentVariables() {
        assertEquals(new LogSettings(LogSettings.Format.ZAP, List.of("/tmp/a.log", "stderr"), "error"),
            run(Map.of("ETCD_LOGGER", "zap", "ETCD_LOG_OUTPUTS", "stderr,/tmp/a.log",
                "ETCD_LOG_LEVEL", "error")).logging());
        assertEquals("conflicting environment variable \"ETCD_LOGGER\" is shadowed by corresponding command-line "
            + "flag (either unset environment variable or disable flag)",
            usageError(Map.of("ETCD_LOGGER", "zap"), "--logger=zap"));
        assertEquals("unknown logger option \"json\"", usageError(Map.of("ETCD_LOGGER", "json")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--logger=foo|unknown logger option \"foo\"",
        "--log-outputs=/tmp/x.log|unknown log-output \"/tmp/x.log\" (only supports \"default\", \"stderr\", \"stdout\")",
        "--log-outputs=stdout,stderr|--logger=capnslog supports only 1 value in '--log-outputs', got [\"stderr\" \"stdout\"]",
        "--log-outputs=|unknown log-output \"\" (only supports \"default\", \"stderr\", \"stdout\")",
    })
    void badCapnslogOutputsGetEtcdsText(final String arg, final String expected) {
        assertEquals(expected, usageError(Map.of(), arg));
    }

    @Test
    void badZapOutputsGetEtcdsText() {
        assertEquals("multi logoutput for \"default\" is not supported yet",
            usageError(Map.of(), "--logger=zap", "--log-outputs=default,stderr"));
        assertTrue(usageError(Map.of(), "--logger=zap", "--log-outputs=systemd/journal").contains("not supported"));
        assertTrue(usageError(Map.of(), "--logger=zap", "--log-outputs=stderr,").contains("empty output"));
    }
}
