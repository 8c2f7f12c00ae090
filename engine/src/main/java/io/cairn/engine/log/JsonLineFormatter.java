package io.cairn.engine.log;

import io.cairn.engine.config.GoDuration;
import java.math.BigInteger;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * --logger=zap: one JSON object per line, as etcd 3.4's zap production encoder writes it:
 * {"level":"warn","ts":"2026-12-02T07:50:31.825Z","caller":"wal/Wal.java:437","msg":"slow fdatasync",
 * "took":"1.2s","expected-duration":"1s"}. Fields follow "msg" in the order given; an exception is
 * an "error" field, and at error level its stack trace a "stacktrace" string (escaped, so the event
 * stays one line).
 */
public final class JsonLineFormatter extends Formatter {
    // zap's ISO8601TimeEncoder: local time, milliseconds, "Z" or "+hhmm".
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXX")
        .withZone(ZoneId.systemDefault());

    @Override
    public String format(final LogRecord record) {
        final LogEvent event = LogEvent.of(record, formatMessage(record));
        final StringBuilder line = new StringBuilder(256);
        line.append("{\"level\":");
        appendString(line, LogLevels.zapName(event.level()));
        line.append(",\"ts\":");
        appendString(line, TIME.format(event.time()));
        if (!event.caller().isEmpty()) {
            line.append(",\"caller\":");
            appendString(line, event.caller());
        }
        line.append(",\"msg\":");
        appendString(line, event.message());
        for (final LogField field : event.fields()) {
            appendKey(line, field.key());
            appendValue(line, field.value());
        }
        if (event.error() != null) {
            appendKey(line, "error");
            appendString(line, LogEvent.errorText(event.error()));
            if (event.level().intValue() >= Level.SEVERE.intValue()) {
                appendKey(line, "stacktrace");
                appendString(line, LogEvent.stackTrace(event.error()));
            }
        }
        return line.append("}\n").toString();
    }

    private static void appendKey(final StringBuilder line, final String key) {
        line.append(',');
        appendString(line, key);
        line.append(':');
    }

    static void appendValue(final StringBuilder line, final Object value) {
        switch (value) {
            case null -> line.append("null");
            case Boolean b -> line.append(b);
            case Integer _, Long _, Short _, Byte _, BigInteger _ -> line.append(value);
            case Double d when Double.isFinite(d) -> line.append(d);
            case Float f when Float.isFinite(f) -> line.append(f);
            case Duration d -> appendString(line, GoDuration.format(d));
            // A Path is Iterable over its names, each a Path iterable over itself: a string, never a list.
            case java.nio.file.Path path -> appendString(line, path.toString());
            case Iterable<?> values -> {
                line.append('[');
                boolean first = true;
                for (final Object element : values) {
                    if (!first) {
                        line.append(',');
                    }
                    first = false;
                    appendValue(line, element);
                }
                line.append(']');
            }
            default -> appendString(line, value.toString());
        }
    }

    /** A JSON string: quotes, backslashes and control characters escaped, so a value never breaks the line. */
    static void appendString(final StringBuilder line, final String text) {
        line.append('"');
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            switch (c) {
                case '"' -> line.append("\\\"");
                case '\\' -> line.append("\\\\");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c)
                        && !validSurrogatePair(text, i)) {
                        line.append(String.format("\\u%04x", (int) c));
                    } else {
                        line.append(c);
                    }
                }
            }
        }
        line.append('"');
    }

    private static boolean validSurrogatePair(final String text, final int i) {
        final char c = text.charAt(i);
        return Character.isHighSurrogate(c) ? i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))
            : i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
    }
}
