package io.cairn.bench.report;

import io.cairn.bench.load.LoadResult;
import java.io.PrintStream;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** The plain-text summary of one run, as an operator reads it. */
public final class SummaryPrinter {
    private SummaryPrinter() {
    }

    public static void print(final String workload, final LoadResult result, final PrintStream out) {
        final Histogram h = result.latencyNanos();
        final long errors = result.errorsByCode().values().stream().mapToLong(Long::longValue).sum();
        out.printf(Locale.ROOT, "Summary: %s against %s%n", workload, result.label());
        out.printf(Locale.ROOT, "  Requests:     %d succeeded, %d failed, in %.3f s%n", result.succeeded(), errors,
            result.elapsedNanos() / 1e9);
        out.printf(Locale.ROOT, "  Requests/s:   %.1f%n", result.requestsPerSecond());
        final StringBuilder latency = new StringBuilder("  Latency (ms):");
        for (final double p : Percentiles.REPORTED) {
            latency.append(String.format(Locale.ROOT, " %s %.3f", Percentiles.label(p),
                Percentiles.millis(h.getValueAtPercentile(p))));
        }
        latency.append(String.format(Locale.ROOT, " max %.3f", Percentiles.millis(h.getMaxValue())));
        out.println(latency);
        if (result.clientCpuNanos() >= 0 || result.serverCpuNanos() >= 0) {
            out.printf(Locale.ROOT, "  CPU (us/req): client %s server %s%n",
                cpuFigure(result.clientCpuNanos(), result.succeeded()),
                cpuFigure(result.serverCpuNanos(), result.succeeded()));
        }
        if (errors > 0) {
            final StringBuilder line = new StringBuilder("  Errors:      ");
            result.errorsByCode().forEach((code, count) -> line.append(' ').append(code).append(' ').append(count));
            out.println(line);
        }
    }

    private static String cpuFigure(final long cpuNanos, final long succeeded) {
        final double micros = LoadResult.microsPerRequest(cpuNanos, succeeded);
        return micros < 0 ? "-" : String.format(Locale.ROOT, "%.1f", micros);
    }
}
