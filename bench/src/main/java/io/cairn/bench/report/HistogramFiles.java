package io.cairn.bench.report;

import io.cairn.bench.load.LoadResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.HdrHistogram.HistogramLogWriter;

/**
 * {@code --out DIR}: per endpoint, the full histogram as an HdrHistogram log ({@code .hlog}, for
 * HdrHistogram's plotting and merging tools) and its percentile distribution as CSV.
 */
public final class HistogramFiles {
    private static final double NANOS_PER_MILLI = 1e6;
    private static final int TICKS_PER_HALF_DISTANCE = 5;

    private HistogramFiles() {
    }

    public static void write(final Path directory, final String workload, final LoadResult result)
        throws IOException {
        Files.createDirectories(directory);
        final String base = workload + "-" + fileSafe(result.label());
        try (PrintStream log = new PrintStream(Files.newOutputStream(directory.resolve(base + ".hlog")), false,
            java.nio.charset.StandardCharsets.UTF_8)) {
            final HistogramLogWriter writer = new HistogramLogWriter(log);
            writer.outputComment("cairn-bench " + workload + " against " + result.label() + ", values in ns");
            writer.outputLogFormatVersion();
            writer.outputLegend();
            writer.outputIntervalHistogram(result.latencyNanos());
        }
        try (PrintStream csv = new PrintStream(Files.newOutputStream(directory.resolve(base + ".csv")), false,
            java.nio.charset.StandardCharsets.UTF_8)) {
            csv.println("# latency in ms; columns: value, percentile, total count, 1/(1-percentile)");
            result.latencyNanos().outputPercentileDistribution(csv, TICKS_PER_HALF_DISTANCE, NANOS_PER_MILLI, true);
        }
    }

    static String fileSafe(final String label) {
        return label.replaceAll("[^A-Za-z0-9._-]+", "_").toLowerCase(Locale.ROOT);
    }
}
