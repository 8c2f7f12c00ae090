package io.cairn.engine.log;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.ErrorManager;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/**
 * Writes each record as one formatted line to one output (stderr, stdout or a file opened for
 * appending), with one write call per line and nothing buffered: a line is complete on disk or on
 * the terminal before the logging call returns, and lines of several processes appending to one
 * file do not interleave.
 */
final class LineHandler extends Handler {
    private final OutputStream out;
    private final boolean ownsOut;

    /** @param ownsOut close {@code out} with the handler (a file; never stdout or stderr) */
    LineHandler(final OutputStream out, final Formatter formatter, final boolean ownsOut) {
        this.out = out;
        this.ownsOut = ownsOut;
        setFormatter(formatter);
    }

    @Override
    public synchronized void publish(final LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        final String line;
        try {
            line = getFormatter().format(record);
        } catch (final RuntimeException e) {
            reportError("cannot format a log record", e, ErrorManager.FORMAT_FAILURE);
            return;
        }
        try {
            out.write(line.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (final IOException e) {
            reportError("cannot write a log line", e, ErrorManager.WRITE_FAILURE);
        }
    }

    @Override
    public synchronized void flush() {
        try {
            out.flush();
        } catch (final IOException e) {
            reportError("cannot flush the log", e, ErrorManager.FLUSH_FAILURE);
        }
    }

    @Override
    public synchronized void close() {
        flush();
        if (ownsOut) {
            try {
                out.close();
            } catch (final IOException e) {
                reportError("cannot close the log file", e, ErrorManager.CLOSE_FAILURE);
            }
        }
    }
}
