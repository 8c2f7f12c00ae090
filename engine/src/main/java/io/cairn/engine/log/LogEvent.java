package io.cairn.engine.log;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * What both line formats show of one java.util.logging record: when, how severe, where from, the
 * message, its {@link LogField}s and its exception.
 *
 * @param component the logger's package below io.cairn.engine or io.cairn, as a path ("node",
 *                  "server/http", "wal"), capnslog's package name; another library's whole package
 * @param caller    zap's short caller, "node/RaftLoop.java:261", or "" when unknown
 */
record LogEvent(Instant time, Level level, String component, String caller, String message, List<LogField> fields,
                Throwable error) {
    private static final String[] OWN_PREFIXES = {"io.cairn.engine.", "io.cairn."};

    /** {@code message} is the record's message with its non-field parameters put in (Formatter.formatMessage). */
    static LogEvent of(final LogRecord record, final String message) {
        final List<LogField> fields = new ArrayList<>();
        if (record.getParameters() != null) {
            for (final Object parameter : record.getParameters()) {
                if (parameter instanceof LogField field) {
                    fields.add(field);
                }
            }
        }
        return new LogEvent(record.getInstant(), record.getLevel(), component(record.getLoggerName()),
            caller(record), message == null ? "" : message, fields, record.getThrown());
    }

    static String component(final String loggerName) {
        if (loggerName == null || loggerName.isEmpty()) {
            return "";
        }
        final int lastDot = loggerName.lastIndexOf('.');
        // Loggers are named after classes; a name whose last part is lower-case is a package already.
        String pkg = lastDot >= 0 && Character.isUpperCase(loggerName.charAt(lastDot + 1))
            ? loggerName.substring(0, lastDot) : loggerName;
        if (pkg.equals("io.cairn.engine")) {
            return "engine";
        }
        for (final String prefix : OWN_PREFIXES) {
            if (pkg.startsWith(prefix)) {
                pkg = pkg.substring(prefix.length());
                break;
            }
        }
        return pkg.replace('.', '/');
    }

    /**
     * The source file and line of the logging call. java.util.logging knows the calling class and
     * method (it finds them on the stack when asked, as here, on the logging thread); the line comes
     * from the same stack. Logging is rare enough that the walk costs nothing that matters.
     */
    private static String caller(final LogRecord record) {
        final String className = record.getSourceClassName();
        final String methodName = record.getSourceMethodName();
        if (className == null) {
            return "";
        }
        final int lastDot = className.lastIndexOf('.');
        final String pkg = lastDot < 0 ? "" : className.substring(0, lastDot);
        final String directory = pkg.substring(pkg.lastIndexOf('.') + 1);
        final Optional<StackWalker.StackFrame> frame = StackWalker.getInstance().walk(frames -> frames
            .filter(f -> f.getClassName().equals(className) && f.getMethodName().equals(methodName))
            .findFirst());
        final String file = frame.map(StackWalker.StackFrame::getFileName)
            .orElse(className.substring(lastDot + 1).replaceFirst("\\$.*", "") + ".java");
        return (directory.isEmpty() ? "" : directory + "/") + file
            + frame.filter(f -> f.getLineNumber() > 0).map(f -> ":" + f.getLineNumber()).orElse("");
    }

    /** The error's stack trace, as printStackTrace writes it (for error-level events). */
    static String stackTrace(final Throwable error) {
        final java.io.StringWriter text = new java.io.StringWriter();
        error.printStackTrace(new java.io.PrintWriter(text));
        return text.toString().stripTrailing();
    }

    /** The exception as one line: each cause's class and message, outermost first. */
    static String errorText(final Throwable error) {
        final StringBuilder text = new StringBuilder(String.valueOf(error));
        Throwable cause = error.getCause();
        for (int depth = 0; cause != null && cause != error && depth < 8; depth++) {
            text.append("; caused by: ").append(cause);
            cause = cause.getCause();
        }
        return text.toString();
    }
}
