package io.cairn.bench.transport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The echoing side of a benchmark, started as a second JVM from this one's binary and classpath with the flags
 * Agrona needs. It prints READY once it listens; closing its stdin stops it.
 */
final class ChildProcess implements AutoCloseable {
    private static final long READY_TIMEOUT_MS = 60_000;

    private final Process process;

    private ChildProcess(final Process process) {
        this.process = process;
    }

    static ChildProcess start(final String... args) throws IOException {
        return start(line -> { }, args);
    }

    /** As {@link #start(String...)}, showing {@code beforeReady} each line the child prints before READY. */
    static ChildProcess start(final java.util.function.Consumer<String> beforeReady, final String... args)
        throws IOException {
        final List<String> command = new ArrayList<>(List.of(
            ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()),
            "-Xmx512m", "--enable-native-access=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"),
            TransportBench.class.getName()));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        final ChildProcess child = new ChildProcess(process);
        child.awaitReady(beforeReady);
        return child;
    }

    private void awaitReady(final java.util.function.Consumer<String> beforeReady) throws IOException {
        final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8));
        final long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.equals("READY")) {
                return;
            }
            beforeReady.accept(line);
            if (System.currentTimeMillis() > deadline) {
                break;
            }
        }
        process.destroyForcibly();
        throw new IOException("echo process did not start");
    }

    @Override
    public void close() throws IOException {
        process.getOutputStream().close();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (final InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
