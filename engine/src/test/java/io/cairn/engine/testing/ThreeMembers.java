package io.cairn.engine.testing;

import io.cairn.etcd.api.etcdserverpb.MaintenanceGrpc;
import io.cairn.etcd.api.etcdserverpb.StatusRequest;
import io.cairn.etcd.api.etcdserverpb.StatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A new three-member cluster of etcd or Cairn processes on loopback, started with exactly the flags
 * an operator passes ({@code --name m1 --data-dir .../d1 --listen-client-urls ... --initial-cluster
 * m1=...,m2=...,m3=... --initial-cluster-token tok --initial-cluster-state new} plus the caller's).
 * Members are numbered 0..2 here and named m1..m3. Data directories and logs live under one
 * temporary directory owned by a {@link Logs} extension, which prints the logs' tails when the test
 * fails and keeps them; close() kills every member and deletes the data.
 */
public final class ThreeMembers implements AutoCloseable {
    public static final int SIZE = 3;
    public static final String TOKEN = "tok";
    /** Which servers the cluster tests run against: {@code -Dcairn.cluster.kinds=CAIRN} for Cairn only. */
    public static final String KINDS_PROPERTY = "cairn.cluster.kinds";

    private static final long LEADER_TIMEOUT_SECONDS = 30;
    private static final long STATUS_DEADLINE_MILLIS = 2_000;
    private static final int LOG_TAIL_LINES = 60;

    /** Client and peer ports of m1..m3; the same ports and flags give etcd and Cairn the same ids. */
    public record Ports(List<Integer> client, List<Integer> peer) {
        public static Ports free() throws IOException {
            final List<Integer> ports = new ArrayList<>();
            while (ports.size() < 2 * SIZE) {
                final int port = ServerProcess.freePort();
                if (!ports.contains(port)) {
                    ports.add(port);
                }
            }
            return new Ports(ports.subList(0, SIZE), ports.subList(SIZE, 2 * SIZE));
        }
    }

    private final ServerProcess.Kind kind;
    private final Ports ports;
    private final Path dir;
    private final List<String> extraFlags;
    private final ServerProcess[] members = new ServerProcess[SIZE];

    private ThreeMembers(final ServerProcess.Kind kind, final Ports ports, final Path dir,
        final List<String> extraFlags) {
        this.kind = kind;
        this.ports = ports;
        this.dir = dir;
        this.extraFlags = extraFlags;
    }

    /** The kinds named by {@link #KINDS_PROPERTY} (default both): a {@code @MethodSource} for cluster tests. */
    public static Stream<ServerProcess.Kind> kinds() {
        return Arrays.stream(System.getProperty(KINDS_PROPERTY, "ETCD,CAIRN").split(","))
            .map(name -> ServerProcess.Kind.valueOf(name.trim().toUpperCase(Locale.ROOT)));
    }

    /** Skips the calling test unless {@link #KINDS_PROPERTY} selects {@code kind}. */
    public static void assumeSelected(final ServerProcess.Kind kind) {
        org.junit.jupiter.api.Assumptions.assumeTrue(kinds().anyMatch(kind::equals),
            kind + " is not among -D" + KINDS_PROPERTY);
    }

    /** Starts the three members on free ports and waits until each serves a Range. */
    public static ThreeMembers start(final ServerProcess.Kind kind, final Logs logs, final String... extraFlags)
        throws IOException, InterruptedException {
        return start(kind, Ports.free(), logs, extraFlags);
    }

    public static ThreeMembers start(final ServerProcess.Kind kind, final Ports ports, final Logs logs,
        final String... extraFlags) throws IOException, InterruptedException {
        return start(kind, ports, logs, (member, dataDir) -> { }, extraFlags);
    }

    /** Fills a member's data directory before it starts (a restored snapshot, say). */
    @FunctionalInterface
    public interface DataDirs {
        void prepare(int member, Path dataDir) throws IOException, InterruptedException;
    }

    /** As above, each member's data directory first made by {@code dataDirs}. */
    public static ThreeMembers start(final ServerProcess.Kind kind, final Ports ports, final Logs logs,
        final DataDirs dataDirs, final String... extraFlags) throws IOException, InterruptedException {
        final ThreeMembers cluster = new ThreeMembers(kind, ports, logs.newDirectory(kind), List.of(extraFlags));
        try {
            for (int i = 0; i < SIZE; i++) {
                dataDirs.prepare(i, cluster.dataDir(i));
                cluster.launch(i);
            }
            for (int i = 0; i < SIZE; i++) {
                cluster.members[i].awaitServing();
            }
        } catch (final IOException | RuntimeException | InterruptedException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private void launch(final int i, final String... moreFlags) throws IOException {
        final String peerCluster = IntStream.range(0, SIZE)
            .mapToObj(m -> name(m) + "=" + peerUrl(m)).collect(Collectors.joining(","));
        final List<String> flags = new ArrayList<>(List.of(
            "--name", name(i),
            "--data-dir", dataDir(i).toString(),
            "--listen-client-urls", clientUrl(i),
            "--advertise-client-urls", clientUrl(i),
            "--listen-peer-urls", peerUrl(i),
            "--initial-advertise-peer-urls", peerUrl(i),
            "--initial-cluster", peerCluster,
            "--initial-cluster-token", TOKEN,
            "--initial-cluster-state", "new"));
        flags.addAll(extraFlags);
        flags.addAll(List.of(moreFlags));
        members[i] = ServerProcess.launch(kind, ports.client().get(i), peerUrl(i), logFile(i), flags);
    }

    /**
     * Starts member i again with {@code moreFlags} added to its flags and waits until it serves; an
     * IOException with its log if it exits instead.
     */
    public void restartWith(final int i, final String... moreFlags) throws IOException, InterruptedException {
        if (members[i].isAlive()) {
            throw new IllegalStateException(name(i) + " still runs");
        }
        relaunch(i, moreFlags);
        members[i].awaitServing();
    }

    /**
     * Starts member i again on its data directory with {@code moreFlags} added and does not wait (a
     * member removed from the cluster ends on its own); the new process.
     */
    public ServerProcess relaunch(final int i, final String... moreFlags) throws IOException {
        if (members[i].isAlive()) {
            throw new IllegalStateException(name(i) + " still runs");
        }
        members[i].close();
        launch(i, moreFlags);
        return members[i];
    }

    /** Member i's current process (a restart replaces it). */
    public ServerProcess member(final int i) {
        return members[i];
    }

    /** Member i's data directory (for tests that change its files while it is down). */
    public Path dataDir(final int i) {
        return dir.resolve("d" + (i + 1));
    }

    public ServerProcess.Kind kind() {
        return kind;
    }

    public static String name(final int i) {
        return "m" + (i + 1);
    }

    public String clientUrl(final int i) {
        return "http://127.0.0.1:" + ports.client().get(i);
    }

    public String peerUrl(final int i) {
        return "http://127.0.0.1:" + ports.peer().get(i);
    }

    /** All client URLs, comma-separated, for etcdctl's --endpoints. */
    public String endpoints() {
        return IntStream.range(0, SIZE).mapToObj(this::clientUrl).collect(Collectors.joining(","));
    }

    /** Member i's channel; a restart replaces it. */
    public ManagedChannel channel(final int i) {
        return members[i].channel();
    }

    public boolean isAlive(final int i) {
        return members[i].isAlive();
    }

    /** SIGKILL: member i gets no chance to flush or hand over leadership. */
    public void kill(final int i) throws InterruptedException {
        members[i].kill();
    }

    /** Starts member i again on its data directory with the same flags and waits until it serves. */
    public void restart(final int i) throws IOException, InterruptedException {
        restartWith(i);
    }

    /**
     * The index of the leader, once every live member names the same leader and it is one of them
     * (Maintenance.Status: the member whose header.member_id is the leader field).
     */
    public int leaderIndex() throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LEADER_TIMEOUT_SECONDS);
        String seen = "";
        while (System.nanoTime() < deadline) {
            final List<StatusResponse> statuses = new ArrayList<>();
            final List<Integer> live = new ArrayList<>();
            for (int i = 0; i < SIZE; i++) {
                if (members[i].isAlive()) {
                    final StatusResponse status = status(i);
                    if (status != null) {
                        statuses.add(status);
                        live.add(i);
                    }
                }
            }
            seen = statuses.toString();
            final long leader = statuses.isEmpty() ? 0 : statuses.getFirst().getLeader();
            if (leader != 0 && statuses.stream().allMatch(s -> s.getLeader() == leader)) {
                for (int k = 0; k < statuses.size(); k++) {
                    if (statuses.get(k).getHeader().getMemberId() == leader) {
                        return live.get(k);
                    }
                }
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new IllegalStateException("no leader agreed within " + LEADER_TIMEOUT_SECONDS + " s: " + seen);
    }

    /** The lowest-numbered live member that is not the leader. */
    public int followerIndex() throws InterruptedException {
        final int leader = leaderIndex();
        for (int i = 0; i < SIZE; i++) {
            if (i != leader && members[i].isAlive()) {
                return i;
            }
        }
        throw new IllegalStateException("no live follower");
    }

    /** Member i's Maintenance.Status, or null when it does not answer in time. */
    public StatusResponse status(final int i) {
        try {
            return MaintenanceGrpc.newBlockingStub(channel(i))
                .withDeadlineAfter(STATUS_DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
                .status(StatusRequest.getDefaultInstance());
        } catch (final StatusRuntimeException notServing) {
            return null;
        }
    }

    public Path logFile(final int i) {
        return dir.resolve(name(i) + ".log");
    }

    @Override
    public void close() throws IOException {
        for (final ServerProcess member : members) {
            if (member != null) {
                try {
                    member.kill();
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                member.close();
            }
        }
        for (int i = 0; i < SIZE; i++) {
            ServerProcess.deleteRecursively(dataDir(i));
            if (kind == ServerProcess.Kind.CAIRN) {
                deleteAeronDirectory(ports.peer().get(i));
            }
        }
    }

    /**
     * A killed Cairn member leaves its media driver's directory in /dev/shm (a restart on the same
     * peer port would reuse and clear it; a test's cluster never restarts). Left, every test run
     * would keep about 100 MB of memory per member.
     */
    public static void deleteAeronDirectory(final int peerPort) throws IOException {
        final Path shm = Path.of("/dev/shm");
        if (!Files.isDirectory(shm)) {
            return;
        }
        try (var dirs = Files.newDirectoryStream(shm, "cairn-aeron-*-" + peerPort)) {
            for (final Path dir : dirs) {
                ServerProcess.deleteRecursively(dir);
            }
        }
    }

    /**
     * Owns the clusters' directories: register with {@code @RegisterExtension}. A failed test prints
     * the tail of every member's log and keeps the directory; otherwise it is deleted.
     */
    public static final class Logs implements TestWatcher {
        private final List<Path> dirs = new ArrayList<>();

        Path newDirectory(final ServerProcess.Kind kind) throws IOException {
            final Path dir = Files.createTempDirectory("cairn-3m-" + kind.name().toLowerCase(Locale.ROOT));
            synchronized (dirs) {
                dirs.add(dir);
            }
            return dir;
        }

        @Override
        public void testFailed(final ExtensionContext context, final Throwable cause) {
            synchronized (dirs) {
                for (final Path dir : dirs) {
                    try (Stream<Path> files = Files.list(dir)) {
                        for (final Path log : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                            final List<String> lines = Files.readAllLines(log);
                            System.err.println("==== last " + LOG_TAIL_LINES + " lines of " + log + " ("
                                + lines.size() + " lines; kept)");
                            lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size())
                                .forEach(System.err::println);
                        }
                    } catch (final IOException e) {
                        System.err.println("cannot read the logs in " + dir + ": " + e);
                    }
                }
                dirs.clear();
            }
        }

        @Override
        public void testSuccessful(final ExtensionContext context) {
            deleteAll();
        }

        @Override
        public void testAborted(final ExtensionContext context, final Throwable cause) {
            deleteAll();
        }

        private void deleteAll() {
            synchronized (dirs) {
                for (final Path dir : dirs) {
                    try {
                        ServerProcess.deleteRecursively(dir);
                    } catch (final IOException e) {
                        System.err.println("cannot delete " + dir + ": " + e);
                    }
                }
                dirs.clear();
            }
        }
    }
}
