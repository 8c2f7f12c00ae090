package io.cairn.chaos.net;

import java.util.List;

/**
 * A lab command that exited non-zero, timed out or could not start. The message carries the command
 * line, the exit status and stderr, so a harness log shows what the host refused without a rerun.
 */
public final class CommandFailedException extends RuntimeException {
    /** The exit status reported when the command never exited by itself (timeout, start failure). */
    public static final int NO_EXIT_STATUS = -1;

    private final List<String> argv;
    private final int exitStatus;
    private final String stderr;

    CommandFailedException(final List<String> argv, final int exitStatus, final String stderr, final String why,
        final Throwable cause) {
        super(CommandLine.render(argv) + ": " + why
            + (exitStatus == NO_EXIT_STATUS ? "" : " (exit status " + exitStatus + ")")
            + (stderr.isBlank() ? "" : ": " + stderr.strip()), cause);
        this.argv = List.copyOf(argv);
        this.exitStatus = exitStatus;
        this.stderr = stderr;
    }

    public List<String> argv() {
        return argv;
    }

    /** The command's exit status, or {@link #NO_EXIT_STATUS} if it did not exit by itself. */
    public int exitStatus() {
        return exitStatus;
    }

    public String stderr() {
        return stderr;
    }
}
