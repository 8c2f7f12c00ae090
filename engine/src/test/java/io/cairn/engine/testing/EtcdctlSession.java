package io.cairn.engine.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A long-running etcdctl (a watch) that the test feeds lines and whose output it waits on, for
 * commands that do not end on their own. Output is what {@link Etcdctl} shows: standard output and
 * error interleaved, the client's timestamped log lines dropped.
 */
public final class EtcdctlSession implements AutoCloseable {
    private static final long AWAIT_TIMEOUT_MILLIS = 20_000;

    private final Process process;
    private final OutputStream stdin;
    private final Thread reader;
    private final StringBuilder output = new StringBuilder();

    private EtcdctlSession(final Process process) {
        this.process = process;
        this.stdin = process.getOutputStream();
        this.reader = Thread.ofPlatform().daemon().name("etcdctl-output").start(this::readOutput);
    }

    public static EtcdctlSession start(final String endpoint, final String... arguments) throws IOException {
        final List<String> command = new ArrayList<>(List.of("etcdctl", "--endpoints", endpoint));
        command.addAll(List.of(arguments));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("ETCDCTL_API", "3");
        return new EtcdctlSession(builder.start());
    }

    private void readOutput() {
        try (BufferedReader lines = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (!line.startsWith("{\"level\":")) {
                    synchronized (output) {
                        output.append(line).append('\n');
                        output.notifyAll();
                    }
                }
            }
        } catch (final IOException ended) {
            // the process was killed
        }
    }

    public void send(final String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /** Waits until the output so far satisfies {@code done}; fails with the output after the timeout. */
    public void await(final Predicate<String> done) throws InterruptedException {
        final long deadline = System.currentTimeMillis() + AWAIT_TIMEOUT_MILLIS;
        synchronized (output) {
            while (!done.test(output.toString())) {
                final long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    throw new AssertionError("etcdctl did not print what was awaited; it printed:\n" + output);
                }
                output.wait(left);
            }
        }
    }

    /** Closes standard input and returns "exit N" and the whole output once etcdctl has ended. */
    public String endInput() throws IOException, InterruptedException {
        stdin.close();
        if (!process.waitFor(AWAIT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("etcdctl did not end after its input closed");
        }
        reader.join();
        return "exit " + process.exitValue() + "\n" + output;
    }

    /** Kills etcdctl (a watch never ends by itself) and returns its output. */
    public String kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
        reader.join();
        synchronized (output) {
            return output.toString();
        }
    }

    /** Sends SIGTERM, on which etcdctl lock and elect release what they hold before they exit. */
    public void interrupt() {
        process.destroy();
    }

    /** Interrupts etcdctl and returns "exit N" and its whole output once it has ended. */
    public String interruptAndCollect() throws IOException, InterruptedException {
        interrupt();
        return endInput();
    }

    /** Kills etcdctl if it still runs, without waiting for it. */
    @Override
    public void close() {
        process.destroyForcibly();
    }
}
