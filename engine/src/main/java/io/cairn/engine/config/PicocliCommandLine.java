package io.cairn.engine.config;

import io.cairn.engine.config.ServerCommandLine.Outcome;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * The server's command line through picocli: help, version, and every error message. An ordinary
 * start never comes here ({@link PlainFlagParser}): picocli's classes are compiled for Java 5, so the
 * JVM's ahead-of-time cache cannot hold them, and loading them took 130-195 ms of every start.
 */
final class PicocliCommandLine {
    private PicocliCommandLine() {
    }

    /** Picocli's model of the server's command line; parsing it sets the fields of {@code flags}. */
    static CommandSpec spec(final ServerFlags flags) {
        final CommandSpec spec = CommandSpec.create().name("cairn");
        spec.usageMessage().sortOptions(false).width(100)
            .description("Start a Cairn server: an etcd-compatible key-value store (etcd's v3 API and flags).")
            .footer("", "Every flag can also be set through its etcd environment variable: --snapshot-count is "
                + "ETCD_SNAPSHOT_COUNT. A flag given on the command line may not also be set in the environment.");
        ServerFlags.declare(flags, new Options(spec));
        return spec;
    }

    /**
     * Parses {@code args} (two-dash flags, environment values first) into a fresh set of flags;
     * {@code envByFlag} names the variable a flag's value came from, for error messages.
     */
    static Outcome parse(final List<String> args, final Map<String, String> envByFlag, final String version) {
        final ServerFlags flags = new ServerFlags();
        final CommandLine commandLine = new CommandLine(spec(flags));
        try {
            commandLine.parseArgs(args.toArray(String[]::new));
        } catch (final ParameterException e) {
            return new Outcome.UsageError(describe(e, envByFlag));
        }
        if (flags.help) {
            return new Outcome.Print(commandLine.getUsageMessage(CommandLine.Help.Ansi.OFF));
        }
        if (flags.version) {
            return new Outcome.Print(version);
        }
        return ServerCommandLine.run(flags);
    }

    private static String describe(final ParameterException e, final Map<String, String> envByFlag) {
        final String message = e.getMessage().replace('\n', ' ').strip();
        if (e.getArgSpec() instanceof OptionSpec option && envByFlag.containsKey(option.longestName())) {
            return "invalid value in " + envByFlag.get(option.longestName()) + ": " + message;
        }
        return message;
    }

    /** Adds options to a command; each sets its field through a {@link Binding}. */
    private record Options(CommandSpec spec) implements FlagTable {
        @Override
        public void usageHelp(final String description, final Consumer<Boolean> field, final String... names) {
            addPrintOnly(OptionSpec.builder(names).usageHelp(true), description, field);
        }

        @Override
        public void versionHelp(final String description, final Consumer<Boolean> field, final String... names) {
            addPrintOnly(OptionSpec.builder(names).versionHelp(true), description, field);
        }

        /** A flag that makes the command print something and exit (no value, no default). */
        private void addPrintOnly(final OptionSpec.Builder builder, final String description,
            final Consumer<Boolean> field) {
            spec.addOption(bind(builder.type(boolean.class), field).description(description).build());
        }

        @Override
        public void string(final String name, final String defaultValue, final String description,
            final Consumer<String> field) {
            add(OptionSpec.builder(name).type(String.class), defaultValue, description, field);
        }

        @Override
        public void longValue(final String name, final String defaultValue, final String description,
            final Consumer<Long> field) {
            add(OptionSpec.builder(name).type(long.class), defaultValue, description, field);
        }

        @Override
        public void intValue(final String name, final String defaultValue, final String description,
            final Consumer<Integer> field) {
            add(OptionSpec.builder(name).type(int.class), defaultValue, description, field);
        }

        @Override
        public void flag(final String name, final String defaultValue, final String description,
            final Consumer<Boolean> field) {
            // Alone it means true, as in Go, also where the default is true: picocli's own rule
            // would flip such a default (--strict-reconfig-check alone turned the check off).
            add(OptionSpec.builder(name).type(boolean.class).arity("0..1").fallbackValue("true"), defaultValue,
                description, field);
        }

        @Override
        public void hiddenLongValue(final String name, final String defaultValue, final Consumer<Long> field) {
            spec.addOption(bind(OptionSpec.builder(name).type(long.class).defaultValue(defaultValue), field)
                .hidden(true).build());
        }

        /** The value's label in --help is the flag's name: --snapshot-count=&lt;snapshot-count&gt;. */
        private <T> void add(final OptionSpec.Builder builder, final String defaultValue, final String description,
            final Consumer<T> field) {
            spec.addOption(bind(builder, field).defaultValue(defaultValue).description(description)
                .paramLabel("<" + builder.names()[0].substring(2) + ">").build());
        }

        private static <T> OptionSpec.Builder bind(final OptionSpec.Builder builder, final Consumer<T> field) {
            final Binding<T> binding = new Binding<>(field);
            return builder.setter(binding).getter(binding);
        }
    }

    /** An option's value: picocli sets it (converted to the option's type), and it goes on to the field. */
    private static final class Binding<V> implements ISetter, IGetter {
        private final Consumer<V> field;
        private Object value;

        Binding(final Consumer<V> field) {
            this.field = field;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            return (T)value;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T set(final T newValue) {
            final T old = (T)value;
            value = newValue;
            if (newValue != null) { // picocli resets an option to "no initial value" before a parse
                field.accept((V)newValue);
            }
            return old;
        }
    }
}
