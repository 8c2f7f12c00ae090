package io.cairn.engine.log;

import io.cairn.engine.config.LogSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Logger;

/**
 * Sets up the process's logging from --logger, --log-outputs and --log-level. Cairn logs through
 * System.Logger, which the JDK backs with java.util.logging: the root logger gets one
 * {@link LineHandler} per output, each with the chosen format, and the level as its threshold.
 * Libraries that log through java.util.logging (gRPC, Netty) land in the same lines.
 */
public final class Logs {
    private Logs() {
    }

    /** Replaces the root logger's handlers (the JDK's console handler) with the settings' outputs. */
    public static void install(final LogSettings settings) throws IOException {
        final List<Handler> handlers = handlers(settings, System.out, System.err);
        final Logger root = Logger.getLogger("");
        for (final Handler old : root.getHandlers()) {
            root.removeHandler(old);
        }
        handlers.forEach(root::addHandler);
        root.setLevel(LogLevels.threshold(settings.level()));
    }

    /**
     * One handler per output; {@code stdout} and {@code stderr} are the streams "stdout" and
     * "stderr" mean (tests pass their own). Files are created if absent and appended to.
     */
    static List<Handler> handlers(final LogSettings settings, final OutputStream stdout, final OutputStream stderr)
        throws IOException {
        final List<Handler> handlers = new ArrayList<>();
        try {
            for (final String output : settings.outputs()) {
                handlers.add(switch (output) {
                    case LogSettings.STDOUT -> new LineHandler(stdout, formatter(settings), false);
                    case LogSettings.STDERR -> new LineHandler(stderr, formatter(settings), false);
                    default -> new LineHandler(openForAppend(Path.of(output)), formatter(settings), true);
                });
            }
        } catch (final IOException | RuntimeException e) {
            handlers.forEach(Handler::close);
            throw e;
        }
        return handlers;
    }

    private static Formatter formatter(final LogSettings settings) {
        return switch (settings.format()) {
            case ZAP -> new JsonLineFormatter();
            case CAPNSLOG -> new PlainLineFormatter();
        };
    }

    private static OutputStream openForAppend(final Path file) throws IOException {
        try {
            return Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        } catch (final IOException e) {
            throw new IOException("cannot open log output " + file + ": " + e, e);
        }
    }
}
