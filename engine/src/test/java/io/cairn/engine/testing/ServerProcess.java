package io.cairn.engine.testing;

import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import com.google.protobuf.ByteString;

/**
 * A server process on loopback ports with its own data directory: Debian etcd (the reference
 * implementation that differential tests compare Cairn against) or Cairn itself, started with the
 * same flags. Close it to stop it and delete its data.
 */
public final class ServerProcess implements AutoCloseable {
    /** Which server to run. */
    public enum Kind { ETCD, CAIRN }

    /**
     * A Cairn member restarted under a cluster's full write load on 2 cores starts from the test's
     * class path (no AOT cache) in 10-15 s; etcd in about 1 s. A limit, not an expectation.
     */
    private static final long START_TIMEOUT_MILLIS = 60_000;
    private static final long POLL_INTERVAL_MILLIS = 50;

    private final Process process;
    /** Null when the directory belongs to the caller. */
    private final Path dataDir;
    private final Path logFile;
    /** False when the log belongs to the caller. */
    private final boolean ownsLog;
    private final String clientUrl;
    private final String peerUrl;
    private final ManagedChannel channel;

    private ServerProcess(final Process process, final Path dataDir, final Path logFile, final boolean ownsLog,
        final String clientUrl, final String peerUrl, final ManagedChannel channel) {
        this.process = process;
        this.dataDir = dataDir;
        this.logFile = logFile;
        this.ownsLog = ownsLog;
        this.clientUrl = clientUrl;
        this.peerUrl = peerUrl;
        this.channel = channel;
    }

    /** Starts etcd on free ports with these extra flags and waits until it answers a Range. */
    public static ServerProcess start(final String... extraFlags) throws IOException, InterruptedException {
        return start(Kind.ETCD, freePort(), freePort(), extraFlags);
    }

    /**
     * Starts etcd or Cairn on the given ports and waits until it answers a Range. The same ports and
     * flags give both servers the same member and cluster ids.
     */
    public static ServerProcess start(final Kind kind, final int clientPort, final int peerPort,
        final String... extraFlags) throws IOException, InterruptedException {
        return start(kind, clientPort, peerPort, null, extraFlags);
    }

    /**
     * As above, on {@code keptDataDir} when it is not null: that directory is the caller's and
     * outlives the process (for restart tests); otherwise a temporary one is deleted on close.
     */
    public static ServerProcess start(final Kind kind, final int clientPort, final int peerPort,
        final Path keptDataDir, final String... extraFlags) throws IOException, InterruptedException {
        final Path dataDir = keptDataDir != null ? keptDataDir
            : Files.createTempDirectory("cairn-" + kind.name().toLowerCase(java.util.Locale.ROOT));
        final Path logFile = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        final String clientUrl = "http://127.0.0.1:" + clientPort;
        final String peerUrl = "http://127.0.0.1:" + peerPort;
        final List<String> flags = new ArrayList<>(List.of(
            "--name", "default",
            "--data-dir", dataDir.toString(),
            "--listen-client-urls", clientUrl,
            "--advertise-client-urls", clientUrl,
            "--listen-peer-urls", peerUrl,
            "--initial-advertise-peer-urls", peerUrl,
            "--initial-cluster", "default=" + peerUrl));
        flags.addAll(List.of(extraFlags));
        final Process process = new ProcessBuilder(command(kind, flags))
            .redirectErrorStream(true)
            .redirectOutput(logFile.toFile())
            .start();
        final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", clientPort).usePlaintext().build();
        final ServerProcess etcd = new ServerProcess(process, keptDataDir == null ? dataDir : null, logFile, true,
            clientUrl, peerUrl, channel);
        try {
            etcd.awaitServing();
        } catch (final IOException | RuntimeException e) {
            etcd.close();
            throw e;
        }
        return etcd;
    }

    /**
     * Starts etcd or Cairn with exactly {@code flags} after the binary (the caller names the member,
     * its data directory and URLs) and does not wait for it: a member of a new cluster serves only
     * once a quorum of its peers runs too ({@link #awaitServing}). Output is appended to
     * {@code logFile}; data directory and log stay the caller's.
     */
    public static ServerProcess launch(final Kind kind, final int clientPort, final String peerUrl,
        final Path logFile, final List<String> flags) throws IOException {
        return launch(command(kind, flags), clientPort, peerUrl, logFile);
    }

    /**
     * As above, with the whole {@code command} given: the binary (a Cairn with JVM options of its
     * own: {@link #cairnCommand(List)}) and its flags.
     */
    public static ServerProcess launch(final List<String> command, final int clientPort, final String peerUrl,
        final Path logFile) throws IOException {
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
        final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", clientPort).usePlaintext().build();
        return new ServerProcess(process, null, logFile, false, "http://127.0.0.1:" + clientPort, peerUrl, channel);
    }

    private static List<String> command(final Kind kind, final List<String> flags) {
        final List<String> command = new ArrayList<>(kind == Kind.ETCD ? List.of(findEtcd()) : cairnCommand());
        command.addAll(flags);
        return command;
    }

    public ManagedChannel channel() {
        return channel;
    }

    public String clientUrl() {
        return clientUrl;
    }

    public String peerUrl() {
        return peerUrl;
    }

    /** Waits until the server answers a (linearizable) Range, or fails naming its log. */
    public void awaitServing() throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
        final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
        final RangeRequest probe = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("probe")).build();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("server exited with " + process.exitValue() + ": " + Files.readString(logFile));
            }
            try {
                kv.withDeadlineAfter(1, TimeUnit.SECONDS).range(probe);
                return;
            } catch (final StatusRuntimeException notYet) {
                if ("etcdserver: user name is empty".equals(notYet.getStatus().getDescription())) {
                    return; // auth is on: the read was refused only after it could be served
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("server did not serve within " + START_TIMEOUT_MILLIS + " ms: "
                        + Files.readString(logFile), notYet);
                }
                process.waitFor(POLL_INTERVAL_MILLIS, TimeUnit.MILLISECONDS); // wakes early if etcd dies
                // A refused connection backs the channel off (1 s, then 1.6x each time): without this
                // the probe would first try again up to 10 s after the port opened.
                channel.resetConnectBackoff();
            }
        }
    }

    /** SIGKILL: the process gets no chance to flush or clean up anything. */
    public void kill() throws InterruptedException {
        channel.shutdownNow();
        process.destroyForcibly().waitFor();
    }

    public String log() throws IOException {
        return Files.readString(logFile);
    }

    @Override
    public void close() throws IOException {
        channel.shutdownNow();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (final InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (dataDir != null) {
            deleteRecursively(dataDir);
        }
        if (ownsLog) {
            Files.deleteIfExists(logFile);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The server's process id. */
    public long pid() {
        return process.pid();
    }

    /** Waits up to {@code timeoutMillis} for the process to end on its own: its exit code, or -1 if it still runs. */
    public int awaitExit(final long timeoutMillis) throws InterruptedException {
        return process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** Cairn from the test's own classpath, with the flags bin/cairn passes. */
    public static List<String> cairnCommand() {
        return cairnCommand(List.of());
    }

    /** As above, with {@code jvmOptions} added (a class-load log, say). */
    public static List<String> cairnCommand(final List<String> jvmOptions) {
        final List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
            "--enable-native-access=ALL-UNNAMED",
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.cairn.engine.Main"));
        return List.copyOf(command);
    }

    private static String findEtcd() {
        for (final String candidate : List.of("/usr/bin/etcd", "/usr/local/bin/etcd")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new IllegalStateException("etcd is not installed: run `apt-get install etcd-server` (.ci/run does)");
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    public static void deleteRecursively(final Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
