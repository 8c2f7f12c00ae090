package io.cairn.engine.server.aot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Makes the JVM's ahead-of-time cache for a member (JEP 483: classes loaded and linked), so that a
 * member starts and restarts sooner. Not JEP 515's method profiles: the training member runs with
 * {@code -XX:-AOTRecordTraining} ({@code .mvn/jvm-options.sh} gives it), since a member started with
 * the training's profiles kept code compiled for the training's mixed load and used 15-30% more CPU
 * per put warm (engine/README.md, "The AOT cache without method profiles").
 * {@code bin/cairn --aot-train} runs it.
 *
 * <p>It starts a throw-away member, exactly as {@code bin/cairn} would (the same java, the same JVM
 * options, the same jar: the JVM refuses a cache made with other options or another jar), with
 * {@code -XX:AOTCacheOutput}, on a fresh data dir under {@code --work-dir} and free loopback ports,
 * one client URL over http and one over https with {@code --auto-tls}. A first member, not
 * recorded, fills the data dir's log first, so the recorded one starts as a restarted member
 * does. {@link TrainingLoad} sends it the requests of a usual day. SIGTERM then stops the member;
 * the JVM writes the cache as it exits. The cache is written beside the output and renamed over it
 * only once complete, so a member never starts from half a cache.
 *
 * <p>Usage: {@code AotTraining --output FILE --work-dir DIR -- JAVA [JVM OPTIONS] -jar JAR}.
 */
public final class AotTraining {
    private static final Duration READY_WAIT = Duration.ofSeconds(60);
    /** Writing the cache forks a second JVM that links everything the first one recorded. */
    private static final Duration EXIT_WAIT = Duration.ofSeconds(180);

    private AotTraining() {
    }

    public static void main(final String[] args) throws Exception {
        final int separator = List.of(args).indexOf("--");
        if (args.length < 6 || separator != 4 || !args[0].equals("--output") || !args[2].equals("--work-dir")
            || !List.of(args).subList(separator + 1, args.length).contains("-jar")) {
            System.err.println("usage: AotTraining --output FILE --work-dir DIR -- JAVA [JVM OPTIONS] -jar JAR");
            System.exit(2);
        }
        final Path output = Path.of(args[1]);
        final Path workDir = Files.createTempDirectory(Files.createDirectories(Path.of(args[3])), "cairn-aot-");
        final List<String> javaCommand = List.of(args).subList(separator + 1, args.length);
        try {
            train(output, workDir, javaCommand);
        } finally {
            deleteRecursively(workDir);
        }
    }

    static void train(final Path output, final Path workDir, final List<String> javaCommand)
        throws IOException, InterruptedException {
        final Path partial = output.resolveSibling(output.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        final int httpPort = freePort();
        final int httpsPort = freePort();
        final int peerPort = freePort();
        final URI http = URI.create("http://127.0.0.1:" + httpPort);
        final URI https = URI.create("https://127.0.0.1:" + httpsPort);
        final String peer = "http://127.0.0.1:" + peerPort;

        final List<String> flags = List.of("--name", "aot-training", "--data-dir", workDir.resolve("data").toString(),
            "--listen-client-urls", http + "," + https, "--advertise-client-urls", http + "," + https,
            "--auto-tls", "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "aot-training=" + peer);
        final Path log = workDir.resolve("member.log");
        System.err.println("cairn: training the ahead-of-time cache (about a minute)...");
        seedTheLog(javaCommand, flags, log, http, https);
        final List<String> command = new ArrayList<>(javaCommand);
        command.add(command.indexOf("-jar"), "-XX:AOTCacheOutput=" + partial);
        command.addAll(flags);
        try {
            // SIGTERM at the end: the member stops as under systemd, and the JVM writes the cache.
            final int status = runAndStop("training", command, log, http, https, TrainingLoad::run);
            if (!Files.isRegularFile(partial) || Files.size(partial) == 0) {
                throw new IOException("the training member exited (status " + status
                    + ") without writing the cache; its output:\n" + Files.readString(log));
            }
            Files.move(partial, output, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            System.err.println("cairn: ahead-of-time cache written: " + output + " (" + Files.size(output) / (1 << 20)
                + " MB)");
        } catch (final IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            Files.deleteIfExists(partial.resolveSibling(partial.getFileName() + ".config"));
            throw e;
        }
    }

    /**
     * A first member, not recorded, writes {@link TrainingLoad#SEED_PUTS} puts and stops, so that the
     * recorded one starts as a restarted member does: it reads a log of that many records and opens a
     * tree that holds them. Without it the cache had neither the WAL's recovery classes nor their
     * profiles, and a restart ran that scan cold (issue #21: 0.14 s for 140,000 records).
     */
    private static void seedTheLog(final List<String> javaCommand, final List<String> flags, final Path log,
        final URI http, final URI https) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(javaCommand);
        command.addAll(flags);
        runAndStop("seeding", command, log, http, https, TrainingLoad::seed);
    }

    /** What a member started for the training is sent before it is stopped. */
    @FunctionalInterface
    private interface Load {
        void send(TrainingLoad load) throws IOException, InterruptedException;
    }

    /**
     * Starts {@code command} (output appended to {@code log}), sends it {@code load} once it serves,
     * stops it with SIGTERM and returns its exit status. On any failure the member is killed and its
     * output printed.
     */
    private static int runAndStop(final String role, final List<String> command, final Path log, final URI http,
        final URI https, final Load load) throws IOException, InterruptedException {
        final Process member = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try {
            try (TrainingLoad client = new TrainingLoad(http, https)) {
                client.awaitReady(READY_WAIT);
                load.send(client);
            }
            member.destroy();
            if (!member.waitFor(EXIT_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IOException("the " + role + " member did not exit within " + EXIT_WAIT.toSeconds() + " s");
            }
            return member.exitValue();
        } catch (final IOException | RuntimeException e) {
            member.destroyForcibly().waitFor();
            System.err.println("cairn: the " + role + " member's output:\n" + Files.readString(log));
            throw e;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(final Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (final IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
