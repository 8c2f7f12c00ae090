package io.cairn.engine.log;

import io.cairn.engine.config.GoDuration;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * --logger=capnslog (etcd 3.4's default): one plain line per event in capnslog's layout,
 * "2026-12-02 07:50:43.390337 W | wal: slow fdatasync [took: 1.2s, expected-duration: 1s]": local
 * time to the microsecond, the level's letter, the package, the message, then the event's fields
 * and exception in brackets (at error level with its stack trace, as zap's "stacktrace"). Line breaks inside a message are written as "\n" so that one event is
 * always one line.
 */
public final class PlainLineFormatter extends Formatter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")
        .withZone(ZoneId.systemDefault());

    @Override
    public String format(final LogRecord record) {
        final LogEvent event = LogEvent.of(record, formatMessage(record));
        final StringBuilder line = new StringBuilder(160);
        line.append(TIME.format(event.time())).append(' ').append(LogLevels.capnslogLetter(event.level())).append(" | ");
        if (!event.component().isEmpty()) {
            line.append(event.component()).append(": ");
        }
        line.append(oneLine(event.message()));
        final List<String> parts = new ArrayList<>();
        for (final LogField field : event.fields()) {
            parts.add(field.key() + ": " + text(field.value()));
        }
        if (event.error() != null) {
            parts.add("error: " + LogEvent.errorText(event.error()));
            if (event.level().intValue() >= Level.SEVERE.intValue()) {
                parts.add("stacktrace: " + LogEvent.stackTrace(event.error())); // where it failed; still one line
            }
        }
        if (!parts.isEmpty()) {
            line.append(" [").append(oneLine(String.join(", ", parts))).append(']');
        }
        return line.append('\n').toString();
    }

    private static String text(final Object value) {
        return switch (value) {
            case Duration d -> GoDuration.format(d);
            // A Path is Iterable over its names, each a Path iterable over itself: a string, never a list.
            case java.nio.file.Path path -> path.toString();
            case Iterable<?> values -> {
                final List<String> texts = new ArrayList<>();
                values.forEach(v -> texts.add(text(v)));
                yield String.join(",", texts);
            }
            case null -> "";
            default -> value.toString();
        };
    }

    private static String oneLine(final String text) {
        return text.replace("\r", "\\r").replace("\n", "\\n");
    }
}
