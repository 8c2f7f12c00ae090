package io.cairn.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.bench.load.LoadResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ReportTest {
    /** 1,000 requests of 1 ms to 1,000 ms, one each: percentile p is about p * 10 ms. */
    private static LoadResult result(final String label, final long scale) {
        final Histogram h = new Histogram(1, 600_000_000_000L, 3);
        for (long ms = 1; ms <= 1000; ms++) {
            h.recordValue(ms * 1_000_000 * scale);
        }
        return new LoadResult(label, h, 1000, Map.of("UNAVAILABLE", 2L), 2_000_000_000L);
    }

    @Test
    void plotIsWellFormedSvgWithOneRisingLinePerEndpoint() throws Exception {
        final String svg = PercentilePlot.svg(List.of(result("etcd", 1), result("cairn", 2)));
        final Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        final NodeList lines = doc.getElementsByTagName("polyline");
        assertEquals(2, lines.getLength());
        for (int i = 0; i < lines.getLength(); i++) {
            final String[] points = ((Element)lines.item(i)).getAttribute("points").trim().split(" ");
            assertEquals(201, points.length);
            double previousY = Double.MAX_VALUE;
            for (final String point : points) {
                final double y = Double.parseDouble(point.split(",")[1]);
                assertTrue(y <= previousY + 1e-9, "latency must not fall as the percentile rises");
                previousY = y;
            }
        }
        assertEquals("cairn", ((Element)lines.item(1)).getAttribute("data-endpoint"));
        final String html = PercentilePlot.html("put <etcd & cairn>", List.of(result("a", 1)));
        assertTrue(html.contains("put &lt;etcd &amp; cairn&gt;") && html.contains("<svg"));
    }

    @Test
    void summaryAndTableShowRatesPercentilesAndErrors() {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        SummaryPrinter.print("put", result("etcd", 1), out);
        SideBySideTable.print(List.of(result("etcd", 1), result("cairn", 2)), out);
        final String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("Requests/s:   500.0"), text);
        assertTrue(text.contains("p50 500.") && text.contains("p99 990."), text);
        assertTrue(text.contains("UNAVAILABLE 2"), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("p50 ms") && l.trim().endsWith("2.00x")), text);
    }

    @Test
    void outWritesHistogramLogAndCsv(@TempDir final Path dir) throws Exception {
        HistogramFiles.write(dir, "put", result("http://127.0.0.1:2379", 1));
        final String base = "put-http_127.0.0.1_2379";
        final Histogram back = (Histogram)new org.HdrHistogram.HistogramLogReader(dir.resolve(base + ".hlog").toFile())
            .nextIntervalHistogram();
        assertEquals(1000, back.getTotalCount());
        final List<String> csv = Files.readAllLines(dir.resolve(base + ".csv"));
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("\"Value\"")), "CSV header");
    }
}
