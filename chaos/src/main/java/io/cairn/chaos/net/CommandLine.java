package io.cairn.chaos.net;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Renders an argv as a shell would need it typed, for messages and logs a person may paste back. */
final class CommandLine {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=%,+@-]+");

    private CommandLine() {
    }

    static String render(final List<String> argv) {
        return argv.stream().map(CommandLine::quote).collect(Collectors.joining(" "));
    }

    private static String quote(final String argument) {
        if (PLAIN.matcher(argument).matches()) {
            return argument;
        }
        return "'" + argument.replace("'", "'\\''") + "'";
    }
}
