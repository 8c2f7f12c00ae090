package io.cairn.bench.report;

import java.util.List;

/** The latency percentiles every report shows, as HdrHistogram percentiles (0..100). */
public final class Percentiles {
    public static final List<Double> REPORTED = List.of(50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 99.99);

    private Percentiles() {
    }

    public static String label(final double percentile) {
        return "p" + (percentile == Math.rint(percentile) ? Long.toString((long)percentile) : Double.toString(percentile));
    }

    public static double millis(final long nanos) {
        return nanos / 1e6;
    }
}
