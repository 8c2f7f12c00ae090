package io.cairn.engine.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import io.cairn.engine.config.LogSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two line formats and the outputs, through System.Logger as Cairn's code logs: each event
 * one line, zap's lines strict JSON with etcd's keys first and the event's fields after, capnslog's
 * lines in capnslog's layout; stdout, stderr and files each get what they should.
 */
class LogsTest {
    private static final String NAME = "io.cairn.engine.node.LogsTestProbe";
    private static final System.Logger LOG = System.getLogger(NAME);
    // java.util.logging holds loggers weakly: keep the one the handlers are on.
    private final Logger jul = Logger.getLogger(NAME);
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final List<Handler> handlers = new ArrayList<>();

    @TempDir
    Path dir;

    private void logTo(final LogSettings settings) throws IOException {
        handlers.addAll(Logs.handlers(settings, stdout, stderr));
        jul.setUseParentHandlers(false);
        jul.setLevel(LogLevels.threshold(settings.level()));
        handlers.forEach(jul::addHandler);
    }

    @AfterEach
    void detach() {
        handlers.forEach(h -> {
            jul.removeHandler(h);
            h.close();
        });
        jul.setUseParentHandlers(true);
        jul.setLevel(null);
    }

    private static LogSettings zap(final String... outputs) {
        return new LogSettings(LogSettings.Format.ZAP, List.of(outputs), "info");
    }

    private static List<String> lines(final ByteArrayOutputStream out) {
        final String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.isEmpty() || text.endsWith("\n"), "every line ends: " + text);
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }

    /** Strict JSON, one object, nothing after it. */
    private static JsonObject parse(final String line) {
        final JsonReader reader = new JsonReader(new StringReader(line));
        reader.setStrictness(Strictness.STRICT);
        final JsonElement element = JsonParser.parseReader(reader);
        assertTrue(element.isJsonObject(), line);
        return element.getAsJsonObject();
    }

    @Test
    void zapWritesOneJsonObjectPerLineWithEtcdsKeysThenTheFields() throws IOException {
        logTo(zap(LogSettings.STDERR));
        LOG.log(System.Logger.Level.WARNING, "slow fdatasync", LogField.of("took", Duration.ofMillis(1_502)),
            LogField.of("expected-duration", Duration.ofSeconds(1)), LogField.memberId("local-member-id", 0x8e9e05c52164694dL),
            LogField.of("term", 7L), LogField.of("urls", List.of("http://a:2379", "http://b:2379")),
            LogField.of("odd", "quote \" backslash \\ newline \n tab \t bell \u0007"),
            LogField.of("file", Path.of("/var/lib/cairn/member/snap/db")));
        LOG.log(System.Logger.Level.INFO, "became leader", LogField.of("term", 2));

        final List<String> lines = lines(stderr);
        assertEquals(2, lines.size(), stderr.toString(StandardCharsets.UTF_8));
        final JsonObject warning = parse(lines.get(0));
        assertEquals(List.of("level", "ts", "caller", "msg", "took", "expected-duration", "local-member-id", "term",
            "urls", "odd", "file"), List.copyOf(warning.keySet()), "zap's production encoder order, then the fields in order");
        assertEquals("warn", warning.get("level").getAsString());
        assertTrue(warning.get("ts").getAsString().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d{4})"),
            warning.toString());
        assertTrue(warning.get("caller").getAsString().matches("log/LogsTest\\.java:\\d+"), warning.toString());
        assertEquals("slow fdatasync", warning.get("msg").getAsString());
        assertEquals("1.502s", warning.get("took").getAsString());
        assertEquals("1s", warning.get("expected-duration").getAsString());
        assertEquals("8e9e05c52164694d", warning.get("local-member-id").getAsString());
        assertEquals(7, warning.get("term").getAsLong());
        assertEquals("http://b:2379", warning.get("urls").getAsJsonArray().get(1).getAsString());
        assertEquals("quote \" backslash \\ newline \n tab \t bell \u0007", warning.get("odd").getAsString());
        assertEquals("/var/lib/cairn/member/snap/db", warning.get("file").getAsString(),
            "a Path is a string (it is also Iterable, over Paths that iterate over themselves)");
        assertEquals("info", parse(lines.get(1)).get("level").getAsString());
        assertEquals(0, stdout.size(), "stderr only");
    }

    @Test
    void anExceptionIsAnErrorFieldOnTheSameJsonLine() throws IOException {
        logTo(zap(LogSettings.STDOUT));
        LOG.log(System.Logger.Level.ERROR, "the apply thread stopped",
            new IOException("fdatasync failed", new IllegalStateException("EIO")));
        LOG.log(System.Logger.Level.WARNING, "cannot end a failed watch stream", new RuntimeException("gone"));

        final List<String> lines = lines(stdout);
        assertEquals(2, lines.size(), "one line per event, no stack dump: " + stdout);
        final JsonObject error = parse(lines.get(0));
        assertEquals("error", error.get("level").getAsString());
        assertEquals("java.io.IOException: fdatasync failed; caused by: java.lang.IllegalStateException: EIO",
            error.get("error").getAsString());
        assertTrue(error.get("stacktrace").getAsString().contains("at io.cairn.engine.log.LogsTest"),
            "at error level zap adds the stack, escaped inside the line");
        final JsonObject warning = parse(lines.get(1));
        assertEquals("java.lang.RuntimeException: gone", warning.get("error").getAsString());
        assertFalse(warning.has("stacktrace"), "below error level zap adds no stack");
        assertEquals(0, stderr.size(), "stdout only");
    }

    @Test
    void capnslogWritesEtcdsPlainLayoutOneLinePerEvent() throws IOException {
        logTo(new LogSettings(LogSettings.Format.CAPNSLOG, List.of(LogSettings.STDERR), "info"));
        LOG.log(System.Logger.Level.WARNING, "slow fdatasync", LogField.of("took", Duration.ofMillis(1_200)),
            LogField.of("expected-duration", Duration.ofSeconds(1)), LogField.of("file", Path.of("/data/wal/0.wal")));
        LOG.log(System.Logger.Level.INFO, "auto compaction: compacted to revision {0}", 42);
        LOG.log(System.Logger.Level.ERROR, "the Raft loop stopped\nsecond line", new IOException("disk gone"));

        final List<String> lines = lines(stderr);
        assertEquals(3, lines.size(), stderr.toString(StandardCharsets.UTF_8));
        final String time = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6}";
        assertTrue(lines.get(0).matches(time + " W \\| node: slow fdatasync \\[took: 1\\.2s, expected-duration: 1s, "
            + "file: /data/wal/0\\.wal]"),
            lines.get(0));
        assertTrue(lines.get(1).matches(time + " I \\| node: auto compaction: compacted to revision 42"), lines.get(1));
        assertTrue(lines.get(2).matches(time + " E \\| node: the Raft loop stopped\\\\nsecond line "
            + "\\[error: java\\.io\\.IOException: disk gone, stacktrace: java\\.io\\.IOException: disk gone\\\\n"
            + ".*at io\\.cairn\\.engine\\.log\\.LogsTest.*]"), "at error level the stack, escaped: " + lines.get(2));
    }

    @Test
    void theLevelDropsWhatIsLessSevere() throws IOException {
        logTo(new LogSettings(LogSettings.Format.ZAP, List.of(LogSettings.STDERR), "warn"));
        LOG.log(System.Logger.Level.DEBUG, "dropped");
        LOG.log(System.Logger.Level.INFO, "dropped");
        LOG.log(System.Logger.Level.WARNING, "kept");
        LOG.log(System.Logger.Level.ERROR, "kept");
        assertEquals(List.of("warn", "error"),
            lines(stderr).stream().map(l -> parse(l).get("level").getAsString()).toList());
    }

    @Test
    void filesAreAppendedToAndEachOutputGetsEveryLine() throws IOException {
        final Path first = dir.resolve("a.log");
        final Path second = dir.resolve("b.log");
        Files.writeString(first, "kept from before\n");
        logTo(zap(first.toString(), second.toString(), LogSettings.STDOUT));
        LOG.log(System.Logger.Level.INFO, "ready to serve client requests", LogField.of("name", "m1"));

        final List<String> firstLines = Files.readAllLines(first);
        assertEquals("kept from before", firstLines.get(0), "appended, not truncated");
        assertEquals("m1", parse(firstLines.get(1)).get("name").getAsString());
        assertEquals(List.of(firstLines.get(1)), Files.readAllLines(second));
        assertEquals(List.of(firstLines.get(1)), lines(stdout));
        assertEquals(0, stderr.size());
    }

    @Test
    void anOutputThatCannotBeOpenedIsAnError() {
        final Path missingDir = dir.resolve("no-such-dir").resolve("cairn.log");
        final IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
            () -> Logs.handlers(zap(missingDir.toString()), stdout, stderr));
        assertTrue(e.getMessage().contains(missingDir.toString()), e.getMessage());
    }

    @Test
    void installReplacesTheRootHandlersAndSetsTheLevel() throws IOException {
        final Logger root = Logger.getLogger("");
        final Handler[] before = root.getHandlers();
        final Level levelBefore = root.getLevel();
        try {
            Logs.install(new LogSettings(LogSettings.Format.ZAP, List.of(dir.resolve("root.log").toString()), "error"));
            assertEquals(1, root.getHandlers().length);
            assertTrue(root.getHandlers()[0] instanceof LineHandler);
            assertEquals(Level.SEVERE, root.getLevel());
        } finally {
            for (final Handler installed : root.getHandlers()) {
                root.removeHandler(installed);
                installed.close();
            }
            for (final Handler old : before) {
                root.addHandler(old);
            }
            root.setLevel(levelBefore);
        }
    }
}
