package io.cairn.engine.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Turns the command line and the ETCD_* environment into a {@link ServerConfig}, with etcd's
 * rules: flags may be written with one dash or two; every flag has an environment variable
 * (--snapshot-count is ETCD_SNAPSHOT_COUNT) that applies when the flag is absent; setting both is
 * an error; an unknown ETCD_ variable is a warning.
 */
public final class ServerCommandLine {
    private static final int ARGUMENTS_MAX = 1024;
    private static final String ENV_PREFIX = "ETCD_";

    /** What the launcher should do. */
    public sealed interface Outcome {
        record Run(ServerConfig config) implements Outcome {
        }

        /** Print to standard output and exit 0 (--help, --version). */
        record Print(String text) implements Outcome {
        }

        /** Print "cairn: message. See 'cairn --help'." to standard error and exit 2. */
        record UsageError(String message) implements Outcome {
        }
    }

    private ServerCommandLine() {
    }

    public static Outcome parse(final List<String> rawArgs, final Map<String, String> env, final String version,
        final Consumer<String> warnings) {
        if (rawArgs.size() > ARGUMENTS_MAX) {
            return new Outcome.UsageError("too many arguments (" + rawArgs.size() + ")");
        }
        final ServerFlags flags = new ServerFlags();
        final PlainFlagParser plain = ServerFlags.plain(flags);
        final Set<String> known = plain.names();

        final List<String> args = new ArrayList<>();
        final Set<String> givenOnCommandLine = new HashSet<>();
        for (int i = 0; i < rawArgs.size(); i++) {
            final String arg = withTwoDashes(rawArgs.get(i));
            final String name = flagName(arg);
            if (name == null) {
                args.add(arg);
                continue;
            }
            if (EtcdOnlyFlags.UNSUPPORTED.contains(name)) {
                return new Outcome.UsageError("flag " + name + " is not supported by Cairn yet");
            }
            if (EtcdOnlyFlags.IGNORED.contains(name)) {
                warnings.accept("flag " + name + " is accepted for etcd compatibility and has no effect in Cairn");
                if (!arg.contains("=") && i + 1 < rawArgs.size() && !rawArgs.get(i + 1).startsWith("-")) {
                    i++; // its value
                }
                continue;
            }
            givenOnCommandLine.add(name);
            args.add(arg);
        }

        // Environment variables act as defaults for the flags not on the command line.
        final Map<String, String> envByFlag = new HashMap<>();
        for (final Map.Entry<String, String> variable : new TreeMap<>(env).entrySet()) {
            final String key = variable.getKey();
            if (!key.startsWith(ENV_PREFIX)) {
                continue;
            }
            final String name = "--" + key.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '-');
            if (EtcdOnlyFlags.UNSUPPORTED.contains(name)) {
                return new Outcome.UsageError("environment variable " + key + " (" + name + ") is not supported by "
                    + "Cairn yet");
            } else if (EtcdOnlyFlags.IGNORED.contains(name)) {
                warnings.accept("environment variable " + key + " is accepted for etcd compatibility and has no "
                    + "effect in Cairn");
            } else if (!known.contains(name) || name.equals("--help") || name.equals("--version")) {
                warnings.accept("unrecognized environment variable " + key + "=" + variable.getValue());
            } else if (givenOnCommandLine.contains(name)) {
                return new Outcome.UsageError("conflicting environment variable \"" + key + "\" is shadowed by "
                    + "corresponding command-line flag (either unset environment variable or disable flag)");
            } else {
                envByFlag.put(name, key);
                args.add(0, name + "=" + variable.getValue());
            }
        }

        return plain.parse(args) ? run(flags) : PicocliCommandLine.parse(args, envByFlag, version);
    }

    /** The configuration {@code flags} give, or the error in them. */
    static Outcome run(final ServerFlags flags) {
        try {
            return new Outcome.Run(ServerConfig.from(flags));
        } catch (final IllegalArgumentException e) {
            return new Outcome.UsageError(e.getMessage());
        }
    }

    /** Go's flag package takes "-name" like "--name"; picocli is told only the long form. */
    private static String withTwoDashes(final String arg) {
        return arg.length() > 2 && arg.charAt(0) == '-' && arg.charAt(1) != '-' ? "-" + arg : arg;
    }

    private static String flagName(final String arg) {
        if (!arg.startsWith("--") || arg.length() == 2) {
            return null;
        }
        final int equals = arg.indexOf('=');
        return equals < 0 ? arg : arg.substring(0, equals);
    }
}
