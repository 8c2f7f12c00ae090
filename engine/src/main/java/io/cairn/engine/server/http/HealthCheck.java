package io.cairn.engine.server.http;

import io.cairn.engine.node.KeyValueStore;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * etcd 3.4's member health: unhealthy while an alarm is raised (except those the caller excludes),
 * while there is no leader, or when a linearizable read does not finish within a second (etcd's
 * QGET through Raft). The serializable variant skips the read, for probes that must not depend on
 * a quorum.
 */
public final class HealthCheck {
    /** etcd's timeout for the health read. */
    static final long READ_TIMEOUT_MILLIS = 1_000;

    /** The verdict, and why not when not: etcd 3.5's reasons ("ALARM NOSPACE", "RAFT NO LEADER", ...). */
    public record Result(boolean healthy, String reason) {
        static final Result HEALTHY = new Result(true, "");
    }

    private final KeyValueStore store;
    private final Supplier<List<String>> raisedAlarms;
    private final AtomicLong successes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    /** {@code raisedAlarms}: the types of the alarms raised now, as etcd names them (NOSPACE, CORRUPT). */
    public HealthCheck(final KeyValueStore store, final Supplier<List<String>> raisedAlarms) {
        this.store = store;
        this.raisedAlarms = raisedAlarms;
    }

    /** etcd's counts of /health answers (counters in etcd; gauges here so the names stay etcd's, see README). */
    public void register(final PrometheusRegistry registry) {
        GaugeWithCallback.builder().name("etcd_server_health_success").help("The total number of successful health checks")
            .callback(cb -> cb.call(successes.get())).register(registry);
        GaugeWithCallback.builder().name("etcd_server_health_failures").help("The total number of failed health checks")
            .callback(cb -> cb.call(failures.get())).register(registry);
    }

    /** The member's health; completes within about {@link #READ_TIMEOUT_MILLIS}. */
    public CompletableFuture<Result> check(final Set<String> excludedAlarms, final boolean serializable) {
        return checkUncounted(excludedAlarms, serializable).thenApply(result -> {
            (result.healthy() ? successes : failures).incrementAndGet();
            return result;
        });
    }

    private CompletableFuture<Result> checkUncounted(final Set<String> excludedAlarms, final boolean serializable) {
        for (final String alarm : raisedAlarms.get()) {
            if (!excludedAlarms.contains(alarm)) {
                return CompletableFuture.completedFuture(new Result(false, "ALARM " + alarm));
            }
        }
        if (store.status().leaderId() == 0) {
            return CompletableFuture.completedFuture(new Result(false, "RAFT NO LEADER"));
        }
        if (serializable) {
            return CompletableFuture.completedFuture(Result.HEALTHY);
        }
        return linearizableRead();
    }

    /** Whether a linearizable read completes in time: the member can reach a quorum. */
    CompletableFuture<Result> linearizableRead() {
        return store.linearizableRead()
            .orTimeout(READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
            .handle((ok, failed) -> failed == null ? Result.HEALTHY
                : new Result(false, "QGET ERROR: " + describe(failed)));
    }

    /** Whether the CORRUPT alarm is raised (readyz's data_corruption check). */
    boolean corrupted() {
        return raisedAlarms.get().contains("CORRUPT");
    }

    private static String describe(final Throwable failed) {
        final Throwable cause = failed instanceof java.util.concurrent.CompletionException && failed.getCause() != null
            ? failed.getCause() : failed;
        return cause instanceof java.util.concurrent.TimeoutException ? "context deadline exceeded" : cause.getMessage();
    }
}
