package io.cairn.engine.config;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The server's command line without picocli, for an ordinary start: each flag at most once, written
 * {@code --name=value} or {@code --name value}, with plain values (a decimal number, true or false, a
 * text without quotes that does not begin with '-' or '@'). It declines everything else (help,
 * version, an unknown or repeated flag, a value picocli might read otherwise or refuse) and leaves it
 * to {@link PicocliCommandLine}, so messages and help stay picocli's. {@code PlainFlagParserTest}
 * holds both to the same flags for random command lines.
 *
 * <p>Why a second parser: picocli's classes are compiled for Java 5 and the JVM's ahead-of-time
 * cache cannot hold them; loading and verifying them took 130-195 ms of every restart.
 */
final class PlainFlagParser implements FlagTable {
    /** Decimal, no "+" and no leading zeros: numbers Long.parseLong and picocli read alike. */
    private static final Pattern LONG = Pattern.compile("-?(0|[1-9][0-9]{0,17})");
    private static final Pattern INT = Pattern.compile("-?(0|[1-9][0-9]{0,8})");

    /** One flag: whether its value may be left out (true), and how a text sets its field (false: not plain, decline). */
    private record Flag(boolean valueOptional, String defaultValue, Predicate<String> set) {
    }

    private final Map<String, Flag> flags = new LinkedHashMap<>();
    /** Help and version: a command line with one goes to picocli. */
    private final Set<String> printOnly = new HashSet<>();

    /** Every flag's longest name (--help, not -h): the names the environment may set. */
    Set<String> names() {
        final Set<String> names = new HashSet<>(flags.keySet());
        names.addAll(printOnly);
        return names;
    }

    /**
     * Sets every flag from its default, then from {@code args} (two-dash flags, environment values
     * first); false if picocli must parse them instead (the fields are then partly set: use fresh ones).
     */
    boolean parse(final List<String> args) {
        for (final Flag flag : flags.values()) {
            if (!flag.set().test(flag.defaultValue())) {
                throw new IllegalStateException("a default is not a plain value: " + flag.defaultValue());
            }
        }
        final Set<String> seen = new HashSet<>();
        for (int i = 0; i < args.size(); i++) {
            final String arg = args.get(i);
            if (!arg.startsWith("--")) {
                return false; // a positional argument, an @file, a one-letter flag
            }
            final int equals = arg.indexOf('=');
            final String name = equals < 0 ? arg : arg.substring(0, equals);
            final Flag flag = flags.get(name);
            if (flag == null || !seen.add(name)) {
                return false;
            }
            final String value;
            if (equals >= 0) {
                value = arg.substring(equals + 1);
            } else if (flag.valueOptional()) {
                if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                    return false; // picocli may take the next argument as the flag's value
                }
                value = "true";
            } else {
                if (i + 1 == args.size()) {
                    return false;
                }
                value = args.get(++i);
            }
            if (!flag.set().test(value)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void usageHelp(final String description, final Consumer<Boolean> field, final String... names) {
        printOnly.add(longest(names));
    }

    @Override
    public void versionHelp(final String description, final Consumer<Boolean> field, final String... names) {
        printOnly.add(longest(names));
    }

    @Override
    public void string(final String name, final String defaultValue, final String description,
        final Consumer<String> field) {
        flags.put(name, new Flag(false, defaultValue, text -> {
            if (!plainText(text)) {
                return false;
            }
            field.accept(text);
            return true;
        }));
    }

    @Override
    public void longValue(final String name, final String defaultValue, final String description,
        final Consumer<Long> field) {
        number(name, defaultValue, LONG, Long::parseLong, field);
    }

    @Override
    public void intValue(final String name, final String defaultValue, final String description,
        final Consumer<Integer> field) {
        number(name, defaultValue, INT, Integer::parseInt, field);
    }

    private <T> void number(final String name, final String defaultValue, final Pattern plain,
        final Function<String, T> parse, final Consumer<T> field) {
        flags.put(name, new Flag(false, defaultValue, text -> {
            if (!plain.matcher(text).matches()) {
                return false;
            }
            field.accept(parse.apply(text));
            return true;
        }));
    }

    @Override
    public void flag(final String name, final String defaultValue, final String description,
        final Consumer<Boolean> field) {
        flags.put(name, new Flag(true, defaultValue, text -> {
            if (!text.equals("true") && !text.equals("false")) {
                return false;
            }
            field.accept(Boolean.parseBoolean(text));
            return true;
        }));
    }

    @Override
    public void hiddenLongValue(final String name, final String defaultValue, final Consumer<Long> field) {
        longValue(name, defaultValue, "", field);
    }

    /**
     * Text picocli passes on as it is. Empty text is plain: several defaults are empty, and picocli
     * sets "--wal-dir=" to "" too (the test holds it to that).
     */
    private static boolean plainText(final String text) {
        return !text.startsWith("-") && !text.startsWith("@") && text.indexOf('"') < 0 && text.indexOf('\'') < 0;
    }

    private static String longest(final String... names) {
        String longest = names[0];
        for (final String name : names) {
            longest = name.length() > longest.length() ? name : longest;
        }
        return longest;
    }
}
