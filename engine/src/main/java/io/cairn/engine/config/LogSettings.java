package io.cairn.engine.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * --logger, --log-outputs and --log-level, validated with etcd 3.4's rules and error texts
 * (embed/config_logging.go): capnslog takes exactly one of default, stderr, stdout; zap takes any
 * list of stdout, stderr and file paths, "default" only alone; both call "default" stderr.
 *
 * @param format  plain lines (capnslog) or one JSON object per line (zap)
 * @param outputs where lines go: {@link #STDERR}, {@link #STDOUT} or file paths (appended to),
 *                without duplicates, sorted as etcd sorts them
 * @param level   etcd's level name: debug, info, warn, error, dpanic, panic or fatal
 */
public record LogSettings(Format format, List<String> outputs, String level) {
    public static final String STDERR = "stderr";
    public static final String STDOUT = "stdout";
    static final String DEFAULT_OUTPUT = "default";
    /** etcd's native journald writer; under systemd, stderr reaches the journal anyway. */
    static final String JOURNAL_OUTPUT = "systemd/journal";
    /** zap discards everything when one output is /dev/null. */
    static final String DISCARD = "/dev/null";
    // dpanic is not in etcd's help text but etcd accepts it (zap's level between error and panic).
    private static final Set<String> LEVELS = Set.of("debug", "info", "warn", "error", "dpanic", "panic", "fatal");

    public enum Format { CAPNSLOG, ZAP }

    public LogSettings {
        outputs = List.copyOf(outputs);
    }

    /** etcd's defaults: capnslog on stderr at info. */
    public static LogSettings defaults() {
        return new LogSettings(Format.CAPNSLOG, List.of(STDERR), "info");
    }

    /** Throws {@link IllegalArgumentException} with etcd's text for a bad value. */
    static LogSettings parse(final String logger, final String outputsText, final String level) {
        final Format format = switch (logger) {
            case "capnslog" -> Format.CAPNSLOG;
            case "zap" -> Format.ZAP;
            default -> throw new IllegalArgumentException("unknown logger option \"" + logger + "\"");
        };
        if (!LEVELS.contains(level)) {
            // etcd panics here ("unknown level"); the list is its help text's.
            throw new IllegalArgumentException("unknown level \"" + level + "\" for --log-level (only supports debug, "
                + "info, warn, error, panic, or fatal)");
        }
        // etcd keeps the comma separated values as a set, sorted.
        final TreeSet<String> given = new TreeSet<>(List.of(outputsText.split(",", -1)));
        final List<String> outputs = format == Format.CAPNSLOG ? capnslogOutput(given) : zapOutputs(given);
        return new LogSettings(format, outputs, level);
    }

    private static List<String> capnslogOutput(final TreeSet<String> given) {
        if (given.size() != 1) {
            throw new IllegalArgumentException("--logger=capnslog supports only 1 value in '--log-outputs', got "
                + goQuoted(given));
        }
        return switch (given.first()) {
            case DEFAULT_OUTPUT, STDERR -> List.of(STDERR);
            case STDOUT -> List.of(STDOUT);
            default -> throw new IllegalArgumentException("unknown log-output \"" + given.first() + "\" (only supports \""
                + DEFAULT_OUTPUT + "\", \"" + STDERR + "\", \"" + STDOUT + "\")");
        };
    }

    private static List<String> zapOutputs(final TreeSet<String> given) {
        if (given.size() > 1 && given.contains(DEFAULT_OUTPUT)) {
            throw new IllegalArgumentException("multi logoutput for \"" + DEFAULT_OUTPUT + "\" is not supported yet");
        }
        if (given.contains(JOURNAL_OUTPUT)) {
            throw new IllegalArgumentException("--log-outputs=" + JOURNAL_OUTPUT + " is not supported by Cairn yet; "
                + "under systemd, use 'default' or 'stderr': the journal takes stderr");
        }
        if (given.contains("")) {
            throw new IllegalArgumentException("--log-outputs has an empty output in " + goQuoted(given));
        }
        if (given.contains(DISCARD)) {
            return List.of(DISCARD);
        }
        final TreeSet<String> outputs = new TreeSet<>();
        for (final String output : given) {
            outputs.add(output.equals(DEFAULT_OUTPUT) ? STDERR : output);
        }
        return new ArrayList<>(outputs);
    }

    /** Go's %q of a []string, as etcd prints the list: ["stderr" "stdout"]. */
    private static String goQuoted(final Set<String> values) {
        final List<String> quoted = values.stream().map(v -> "\"" + v + "\"").toList();
        return "[" + String.join(" ", quoted) + "]";
    }
}
