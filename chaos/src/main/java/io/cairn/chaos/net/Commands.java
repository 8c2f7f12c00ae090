package io.cairn.chaos.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one way the lab runs host commands (ip, nft, tc). Every command gets a timeout, because a
 * wedged {@code ip netns} or {@code nft} must not hang a chaos run for ever, and a failure becomes a
 * {@link CommandFailedException} naming the command line, exit status and stderr.
 */
public final class Commands {
    /** Long enough for a loaded CI host to create a namespace; short enough to notice a hang. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

    /** After a kill, how long to wait for the output pipes: a grandchild may still hold them open. */
    private static final Duration DRAIN_GRACE = Duration.ofSeconds(2);

    private Commands() {
    }

    /** Runs {@code argv}; throws unless it exits 0 within {@link #DEFAULT_TIMEOUT}. */
    public static CommandResult run(final List<String> argv) {
        return run(argv, "");
    }

    /** Runs {@code argv} with {@code stdin} as its input; throws unless it exits 0 in time. */
    public static CommandResult run(final List<String> argv, final String stdin) {
        final CommandResult result = attempt(argv, stdin, DEFAULT_TIMEOUT);
        if (!result.succeeded()) {
            throw new CommandFailedException(argv, result.exitStatus(), result.stderr(), "failed", null);
        }
        return result;
    }

    /**
     * Runs {@code argv} and returns how it exited, whatever the status: for commands whose non-zero exit
     * is an answer (a ping that got no reply, a device that is already gone). Still throws if the
     * command cannot start or does not exit within {@code timeout}.
     */
    public static CommandResult attempt(final List<String> argv, final String stdin, final Duration timeout) {
        final Process process;
        try {
            process = new ProcessBuilder(argv).start();
        } catch (final IOException e) {
            throw new CommandFailedException(argv, CommandFailedException.NO_EXIT_STATUS, "",
                "could not start: " + e.getMessage(), e);
        }
        // Drain both pipes while the command runs: a full pipe buffer would block it until the timeout.
        final FutureTask<String> stdout = drain(process.getInputStream());
        final FutureTask<String> stderr = drain(process.getErrorStream());
        writeInput(process, stdin);
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new CommandFailedException(argv, CommandFailedException.NO_EXIT_STATUS, collect(stderr),
                    "timed out after " + timeout.toMillis() + " ms", null);
            }
            return new CommandResult(argv, process.exitValue(), collect(stdout), collect(stderr));
        } catch (final InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandFailedException(argv, CommandFailedException.NO_EXIT_STATUS, "", "interrupted", e);
        }
    }

    private static FutureTask<String> drain(final InputStream stream) {
        final FutureTask<String> task = new FutureTask<>(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            }
        });
        Thread.ofVirtual().name("command-output").start(task);
        return task;
    }

    private static void writeInput(final Process process, final String stdin) {
        try (OutputStream input = process.getOutputStream()) {
            input.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (final IOException e) {
            // The command exited without reading its input (a broken pipe); its exit status tells why.
        }
    }

    private static String collect(final FutureTask<String> output) throws InterruptedException {
        try {
            return output.get(DRAIN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (final ExecutionException | TimeoutException e) {
            return "<output unavailable: " + e + ">";
        }
    }
}
