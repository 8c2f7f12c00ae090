package io.cairn.engine.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Debian's etcdctl (API v3) against one endpoint and returns what a person would see. */
public final class Etcdctl {
    private static final long COMMAND_TIMEOUT_SECONDS = 20;

    private Etcdctl() {
    }

    /**
     * "exit N", then standard output and error interleaved; etcdctl's timestamped client-retry log
     * lines are dropped (they carry times and random client ids).
     */
    public static String run(final String endpoint, final String stdin, final List<String> arguments)
        throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of("etcdctl", "--endpoints", endpoint));
        command.addAll(arguments);
        return runCommand(command, stdin, COMMAND_TIMEOUT_SECONDS);
    }

    /**
     * Runs any command line (etcdctl with TLS flags, curl, ...) as above: "exit N", then standard output
     * and error, etcdctl's JSON log lines dropped; IOException if it runs past {@code timeoutSeconds}.
     */
    public static String runCommand(final List<String> command, final String stdin, final long timeoutSeconds)
        throws IOException, InterruptedException {
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("ETCDCTL_API", "3");
        final Process process = builder.start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(command + " did not finish");
        }
        final StringBuilder kept = new StringBuilder("exit " + process.exitValue() + "\n");
        output.lines().filter(line -> !line.startsWith("{\"level\":")).forEach(line -> kept.append(line).append('\n'));
        return kept.toString();
    }

    public static String run(final String endpoint, final String... arguments)
        throws IOException, InterruptedException {
        return run(endpoint, "", List.of(arguments));
    }
}
