package io.cairn.chaos.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One member's server process, started inside its network namespace with the argv the caller
 * built. Its output is appended to one log file across restarts, so a violation's report can show
 * what the member said around it. Faults act on the process itself: SIGKILL, SIGSTOP, SIGCONT.
 */
final class MemberProcess {
    private static final long EXIT_WAIT_SECONDS = 10;

    private List<String> argv;
    private final Map<String, String> environment;
    private final Path logFile;
    private Process process;
    private boolean paused;

    MemberProcess(final List<String> argv, final Map<String, String> environment, final Path logFile) {
        this.argv = List.copyOf(argv);
        this.environment = Map.copyOf(environment);
        this.logFile = logFile;
    }

    void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running: " + argv);
        }
        final ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().putAll(environment); // `ip netns exec` passes it on
        process = builder.start();
        paused = false;
    }

    /**
     * From the next {@link #start} on, runs {@code newArgv} instead (a member replaced: same name and
     * URLs, joining the cluster it finds with {@code --initial-cluster-state existing}).
     */
    void relaunchWith(final List<String> newArgv) {
        if (isRunning()) {
            throw new IllegalStateException("still running: " + argv);
        }
        this.argv = List.copyOf(newArgv);
    }

    boolean isRunning() {
        return process != null && process.isAlive();
    }

    boolean isPaused() {
        return paused;
    }

    /** SIGKILL: nothing flushed, nothing cleaned up (the page cache keeps what was written). */
    void kill() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroyForcibly().waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS);
        paused = false;
    }

    /** Waits for the process to end by itself (a power cut it was told of); false if it still runs. */
    boolean awaitExit(final long seconds) throws InterruptedException {
        return process == null || process.waitFor(seconds, TimeUnit.SECONDS);
    }

    /** SIGSTOP: the member stops answering without its peers seeing a closed connection. */
    void pause() throws IOException, InterruptedException {
        signal("STOP");
        paused = true;
    }

    void resume() throws IOException, InterruptedException {
        signal("CONT");
        paused = false;
    }

    /** SIGTERM, then SIGKILL if it does not exit in time. */
    void stop() throws InterruptedException, IOException {
        if (process == null || !process.isAlive()) {
            return;
        }
        if (paused) {
            resume();
        }
        process.destroy();
        if (!process.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    Path logFile() {
        return logFile;
    }

    private void signal(final String name) throws IOException, InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        // `ip netns exec` execs the server in place, and bin/cairn execs java: the pid is the server's.
        final Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
            .redirectErrorStream(true).start();
        if (!kill.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed: "
                + new String(kill.getInputStream().readAllBytes()));
        }
    }
}
