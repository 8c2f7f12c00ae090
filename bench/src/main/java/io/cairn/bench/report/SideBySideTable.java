package io.cairn.bench.report;

import io.cairn.bench.load.LoadResult;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The same workload on several endpoints: one row per figure, ratios against the first endpoint. */
public final class SideBySideTable {
    private SideBySideTable() {
    }

    public static void print(final List<LoadResult> results, final PrintStream out) {
        final List<String> header = new ArrayList<>(List.of("figure"));
        results.forEach(r -> header.add(r.label()));
        for (int i = 1; i < results.size(); i++) {
            header.add(results.get(i).label() + " / " + results.get(0).label());
        }
        final List<List<String>> rows = new ArrayList<>();
        rows.add(header);
        rows.add(row("requests/s", results, LoadResult::requestsPerSecond));
        for (final double p : Percentiles.REPORTED) {
            rows.add(row(Percentiles.label(p) + " ms", results,
                r -> Percentiles.millis(r.latencyNanos().getValueAtPercentile(p))));
        }
        rows.add(row("max ms", results, r -> Percentiles.millis(r.latencyNanos().getMaxValue())));
        if (results.stream().anyMatch(r -> r.clientCpuNanos() >= 0)) {
            rows.add(row("client CPU us/req", results,
                r -> LoadResult.microsPerRequest(r.clientCpuNanos(), r.succeeded())));
        }
        if (results.stream().anyMatch(r -> r.serverCpuNanos() >= 0)) {
            rows.add(row("server CPU us/req", results,
                r -> LoadResult.microsPerRequest(r.serverCpuNanos(), r.succeeded())));
        }
        rows.add(row("errors", results,
            r -> r.errorsByCode().values().stream().mapToLong(Long::longValue).sum()));
        final int[] widths = new int[header.size()];
        rows.forEach(row -> {
            for (int c = 0; c < row.size(); c++) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        });
        for (final List<String> row : rows) {
            final StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.size(); c++) {
                line.append(c == 0 ? String.format("%-" + widths[c] + "s", row.get(c))
                    : String.format("  %" + widths[c] + "s", row.get(c)));
            }
            out.println(line);
        }
    }

    private static List<String> row(final String figure, final List<LoadResult> results,
        final ToDoubleFunction<LoadResult> value) {
        final List<String> row = new ArrayList<>(List.of(figure));
        results.forEach(r -> row.add(String.format(Locale.ROOT, "%.3f", value.applyAsDouble(r))));
        final double base = value.applyAsDouble(results.get(0));
        for (int i = 1; i < results.size(); i++) {
            row.add(base == 0 ? "-" : String.format(Locale.ROOT, "%.2fx", value.applyAsDouble(results.get(i)) / base));
        }
        return row;
    }
}
