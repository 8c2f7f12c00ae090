package io.cairn.engine.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * A Prometheus classic histogram computed at scrape time from a cumulative HdrHistogram that the
 * member already keeps (the WAL's fdatasync times, the tree's syncs, the WAL's group sizes). For
 * durations the HdrHistogram holds nanoseconds and the exported unit is seconds, with etcd's upper
 * bounds, so dashboards' {@code histogram_quantile} reads the same buckets. The sum is the
 * histogram's mean times its count: within HdrHistogram's 3 significant digits of the true sum.
 */
final class HdrHistogramCollector implements Collector {
    private static final double NANOS_PER_SECOND = 1e9;

    private final String name;
    private final String help;
    private final double[] upperBounds;
    private final double recordedPerExported;
    /** The histograms by their labels (one, unlabelled, for most). */
    private final Supplier<Map<Labels, Histogram>> recorded;

    /**
     * @param upperBounds         in the exported unit, ascending, without +Inf (added here)
     * @param recordedPerExported recorded units in one exported unit (1e9 for nanoseconds exported as seconds)
     */
    private HdrHistogramCollector(final String name, final String help, final double[] upperBounds,
        final double recordedPerExported, final Supplier<Map<Labels, Histogram>> recorded) {
        this.name = name;
        this.help = help;
        this.upperBounds = upperBounds.clone();
        this.recordedPerExported = recordedPerExported;
        this.recorded = recorded;
    }

    /** Nanoseconds recorded, seconds exported. */
    static HdrHistogramCollector seconds(final String name, final String help, final double[] upperBoundsSeconds,
        final Supplier<Histogram> nanos) {
        return new HdrHistogramCollector(name, help, upperBoundsSeconds, NANOS_PER_SECOND,
            () -> Map.of(Labels.EMPTY, nanos.get()));
    }

    /** Nanoseconds recorded, seconds exported: one histogram per value of the label {@code labelName}. */
    static HdrHistogramCollector secondsBy(final String name, final String help, final double[] upperBoundsSeconds,
        final String labelName, final Supplier<Map<String, Histogram>> nanosByLabel) {
        return new HdrHistogramCollector(name, help, upperBoundsSeconds, NANOS_PER_SECOND, () -> {
            final Map<Labels, Histogram> byLabels = new LinkedHashMap<>();
            nanosByLabel.get().forEach((value, histogram) -> byLabels.put(Labels.of(labelName, value), histogram));
            return byLabels;
        });
    }

    /** Counts (records, bytes) recorded and exported as they are. */
    static HdrHistogramCollector counts(final String name, final String help, final double[] upperBounds,
        final Supplier<Histogram> recorded) {
        return new HdrHistogramCollector(name, help, upperBounds, 1, () -> Map.of(Labels.EMPTY, recorded.get()));
    }

    /** {@code count} bounds from {@code first}, each twice the one before (Go's prometheus.ExponentialBuckets(first, 2, count)). */
    static double[] doubling(final double first, final int count) {
        final double[] bounds = new double[count];
        for (int i = 0; i < count; i++) {
            bounds[i] = first * (1L << i);
        }
        return bounds;
    }

    @Override
    public MetricSnapshot collect() {
        final HistogramSnapshot.Builder snapshot = HistogramSnapshot.builder().name(name).help(help);
        recorded.get().forEach((labels, histogram) -> snapshot.dataPoint(dataPoint(labels, histogram)));
        return snapshot.build();
    }

    private HistogramSnapshot.HistogramDataPointSnapshot dataPoint(final Labels labels, final Histogram histogram) {
        final double[] bounds = new double[upperBounds.length + 1];
        final long[] counts = new long[bounds.length];
        long below = 0;
        for (int i = 0; i < upperBounds.length; i++) {
            bounds[i] = upperBounds[i];
            final long cumulative = histogram.getCountBetweenValues(0, (long)(upperBounds[i] * recordedPerExported));
            counts[i] = cumulative - below;
            below = cumulative;
        }
        bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
        counts[counts.length - 1] = histogram.getTotalCount() - below;
        final double sum = histogram.getTotalCount() == 0 ? 0
            : histogram.getMean() * histogram.getTotalCount() / recordedPerExported;
        return HistogramSnapshot.HistogramDataPointSnapshot.builder()
            .labels(labels)
            .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
            .sum(sum)
            .build();
    }
}
