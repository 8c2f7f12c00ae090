package io.cairn.engine.config;

import java.util.Set;

/**
 * etcd 3.4 flags that Cairn does not implement. Unit files written for etcd often carry them, so
 * the harmless ones (tuning, --debug and per-package log levels, proxies of the v2 API) are accepted
 * with a warning; the ones whose silent absence would change security or bootstrap are refused.
 */
final class EtcdOnlyFlags {
    /** Accepted and ignored, with one warning each. */
    static final Set<String> IGNORED = Set.of(
        "--debug", "--log-package-levels",
        "--max-snapshots", "--max-wals", "--backend-batch-interval", "--backend-batch-limit",
        "--max-concurrent-streams", "--grpc-keepalive-min-time", "--grpc-keepalive-interval",
        "--grpc-keepalive-timeout", "--initial-election-tick-advance", "--pre-vote",
        "--enable-pprof", "--metrics", "--cors", "--host-whitelist", "--discovery-fallback",
        "--proxy-failure-wait", "--proxy-refresh-interval", "--proxy-dial-timeout", "--proxy-write-timeout",
        "--proxy-read-timeout",
        "--experimental-backend-bbolt-freelist-type", "--experimental-enable-lease-checkpoint",
        "--experimental-compaction-batch-limit", "--experimental-watch-progress-notify-interval",
        "--experimental-warning-apply-duration");

    /** Refused: Cairn would otherwise run less safely or differently than the operator asked. */
    static final Set<String> UNSUPPORTED = Set.of(
        "--client-crl-file", "--client-cert-allowed-hostname", "--peer-cert-allowed-hostname", "--peer-crl-file",
        "--discovery", "--discovery-proxy", "--discovery-srv", "--discovery-srv-name",
        "--enable-v2", "--proxy", "--force-new-cluster", "--config-file",
        "--experimental-enable-v2v3", "--experimental-peer-skip-client-san-verification");

    private EtcdOnlyFlags() {
    }
}
