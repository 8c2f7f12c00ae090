package io.cairn.bench.report;

import io.cairn.bench.load.LoadResult;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * A self-contained HTML page with an SVG latency-by-percentile plot, one line per endpoint, the
 * percentile axis stretched toward the tail (x = log10(1 / (1 - p))) as HdrHistogram's plots do:
 * people compare latency distributions by looking at their tails.
 */
public final class PercentilePlot {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 480;
    private static final int MARGIN = 60;
    private static final double TAIL_NINES = 5; // up to 99.999
    private static final int POINTS = 200;
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

    private PercentilePlot() {
    }

    public static String html(final String title, final List<LoadResult> results) {
        final StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(escape(title))
            .append("</title></head>\n<body style=\"font-family:sans-serif\">\n<h1>").append(escape(title))
            .append("</h1>\n").append(svg(results)).append("\n</body></html>\n");
        return html.toString();
    }

    public static String svg(final List<LoadResult> results) {
        double maxMillis = 0;
        for (final LoadResult r : results) {
            maxMillis = Math.max(maxMillis, Percentiles.millis(r.latencyNanos().getValueAtPercentile(99.999)));
        }
        maxMillis = maxMillis <= 0 ? 1 : maxMillis * 1.1;
        final StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">%n",
            WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
            + "stroke=\"#888\"/>%n", MARGIN, MARGIN / 2, plotWidth(), plotHeight()));
        for (int nines = 0; nines <= TAIL_NINES; nines++) {
            final double x = x(nines);
            final String label = nines == 0 ? "0%" : String.format(Locale.ROOT, "%s%%",
                new java.math.BigDecimal(100 - 100 / Math.pow(10, nines)).stripTrailingZeros().toPlainString());
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" "
                + "text-anchor=\"middle\">%s</text>%n", x, HEIGHT - MARGIN / 2, label));
        }
        for (int tick = 0; tick <= 4; tick++) {
            final double millis = maxMillis * tick / 4;
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" font-size=\"12\" "
                + "text-anchor=\"end\">%.2f</text>%n", MARGIN - 6, y(millis, maxMillis) + 4, millis));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\">latency (ms) by percentile"
            + "</text>%n", MARGIN, MARGIN / 2 - 8));
        for (int i = 0; i < results.size(); i++) {
            final LoadResult result = results.get(i);
            final String colour = COLOURS[i % COLOURS.length];
            svg.append("<polyline class=\"series\" data-endpoint=\"").append(escape(result.label()))
                .append("\" fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\" points=\"");
            final Histogram h = result.latencyNanos();
            for (int p = 0; p <= POINTS; p++) {
                final double nines = TAIL_NINES * p / POINTS;
                final double percentile = 100 - 100 / Math.pow(10, nines);
                svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(nines),
                    y(Percentiles.millis(h.getValueAtPercentile(percentile)), maxMillis)));
            }
            svg.append("\"/>\n");
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"13\" fill=\"%s\">%s</text>%n",
                MARGIN + 10, MARGIN / 2 + 20 + 16 * i, colour, escape(result.label())));
        }
        return svg.append("</svg>").toString();
    }

    private static int plotWidth() {
        return WIDTH - 2 * MARGIN;
    }

    private static int plotHeight() {
        return HEIGHT - 2 * MARGIN;
    }

    private static double x(final double nines) {
        return MARGIN + plotWidth() * nines / TAIL_NINES;
    }

    private static double y(final double millis, final double maxMillis) {
        return MARGIN / 2.0 + plotHeight() * (1 - millis / maxMillis);
    }

    static String escape(final String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
