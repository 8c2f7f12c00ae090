package io.cairn.bench.load;

import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/** What one run measured: latencies in nanoseconds of the successful requests, errors by gRPC code. */
public record LoadResult(String label, Histogram latencyNanos, long succeeded, Map<String, Long> errorsByCode,
    long elapsedNanos) {

    public LoadResult {
        errorsByCode = new TreeMap<>(errorsByCode);
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
        return new LoadResult(label, merged, succeeded + other.succeeded, errors, elapsedNanos + other.elapsedNanos);
    }
}
