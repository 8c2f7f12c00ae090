package io.cairn.bench.load;

import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What one run measured: latencies in nanoseconds of the successful requests, errors by gRPC code,
 * and the CPU the load generator and the server used meanwhile (-1 where not measured).
 */
public record LoadResult(String label, Histogram latencyNanos, long succeeded, Map<String, Long> errorsByCode,
    long elapsedNanos, long clientCpuNanos, long serverCpuNanos) {

    public LoadResult {
        errorsByCode = new TreeMap<>(errorsByCode);
    }

    public LoadResult(final String label, final Histogram latencyNanos, final long succeeded,
        final Map<String, Long> errorsByCode, final long elapsedNanos) {
        this(label, latencyNanos, succeeded, errorsByCode, elapsedNanos, -1, -1);
    }

    /** CPU microseconds per successful request, or -1 if not measured. */
    public static double microsPerRequest(final long cpuNanos, final long succeeded) {
        return cpuNanos < 0 || succeeded == 0 ? -1 : cpuNanos / 1e3 / succeeded;
    }

    public double requestsPerSecond() {
        return elapsedNanos == 0 ? 0 : succeeded * 1e9 / elapsedNanos;
    }

    /** Folds another run of the same workload on the same endpoint into this one. */
    public LoadResult plus(final LoadResult other) {
        final Histogram merged = latencyNanos.copy();
        merged.add(other.latencyNanos);
        final Map<String, Long> errors = new TreeMap<>(errorsByCode);
        other.errorsByCode.forEach((code, count) -> errors.merge(code, count, Long::sum));
        return new LoadResult(label, merged, succeeded + other.succeeded, errors, elapsedNanos + other.elapsedNanos,
            sumKnown(clientCpuNanos, other.clientCpuNanos), sumKnown(serverCpuNanos, other.serverCpuNanos));
    }

    private static long sumKnown(final long a, final long b) {
        return a < 0 || b < 0 ? -1 : a + b;
    }
}
