package io.cairn.chaos.cluster;

import com.google.protobuf.ByteString;
import io.cairn.chaos.net.NetworkLab;
import io.cairn.etcd.api.etcdserverpb.ClusterGrpc;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.MaintenanceGrpc;
import io.cairn.etcd.api.etcdserverpb.Member;
import io.cairn.etcd.api.etcdserverpb.MemberAddRequest;
import io.cairn.etcd.api.etcdserverpb.MemberAddResponse;
import io.cairn.etcd.api.etcdserverpb.MemberListRequest;
import io.cairn.etcd.api.etcdserverpb.MemberRemoveRequest;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.StatusRequest;
import io.cairn.etcd.api.etcdserverpb.StatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * N members of one server kind, member i (1-based) in namespace i of a {@link NetworkLab}, each
 * started with exactly the flags an operator passes to etcd, on the same ports (every member has an
 * address of its own). Restarts reuse the data directory and flags, as systemd would; a replaced
 * member ({@link #wipe}, {@link #rejoin}) keeps its name and URLs, and its membership calls go through
 * etcd's Cluster service ({@link #memberRemove}, {@link #memberAdd}, {@link #memberList}). Channels from
 * the harness (root namespace) reach every member whatever partition is in place.
 */
public final class LabCluster implements AutoCloseable {
    public static final int CLIENT_PORT = 2379;
    public static final int PEER_PORT = 2380;
    private static final String TOKEN = "chaos";
    private static final long SERVING_TIMEOUT_SECONDS = 60;
    private static final long PROBE_DEADLINE_MILLIS = 1_000;
    /** A membership change is a Raft entry: it answers once committed and applied. */
    private static final long MEMBERSHIP_DEADLINE_MILLIS = 5_000;
    /** A member closes its server and store before it reverts, up to 10 s; then the revert itself. */
    private static final long POWER_CUT_EXIT_SECONDS = 30;

    private final NetworkLab lab;
    private final List<MemberProcess> members = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final Path dir;
    private final boolean storageFaults;
    /** The storage fault layer's commands are numbered; a member acts on a number it has not seen. */
    private final AtomicLong faultCommands = new AtomicLong();

    private final ServerCommand server;
    private final List<String> extraFlags;

    private LabCluster(final NetworkLab lab, final Path dir, final ServerCommand server,
                       final List<String> extraFlags) {
        this.lab = lab;
        this.dir = dir;
        this.server = server;
        this.extraFlags = List.copyOf(extraFlags);
        this.storageFaults = server.storageFaults();
    }

    /** Starts every member and waits until each answers a linearizable Range. */
    public static LabCluster start(final NetworkLab lab, final ServerCommand server, final Path dir, final int size,
                                   final List<String> extraFlags) throws IOException, InterruptedException {
        final LabCluster cluster = new LabCluster(lab, dir, server, extraFlags);
        try {
            final String initialCluster = IntStream.rangeClosed(1, size)
                .mapToObj(m -> name(m) + "=" + cluster.peerUrl(m)).collect(Collectors.joining(","));
            for (int m = 1; m <= size; m++) {
                final List<String> argv = cluster.argv(m, initialCluster, "new");
                final Map<String, String> environment = new HashMap<>(server.environment());
                if (server.storageFaults()) {
                    environment.put(ServerCommand.FAULT_CONTROL_ENVIRONMENT, cluster.faultControl(m).toString());
                }
                cluster.members.add(new MemberProcess(argv, environment,
                    dir.resolve(name(m) + ".log")));
                cluster.channels.add(NettyChannelBuilder.forAddress(lab.address(m), CLIENT_PORT).usePlaintext()
                    .build());
            }
            Files.createDirectories(dir);
            for (int m = 1; m <= size; m++) {
                Files.deleteIfExists(cluster.faultControl(m)); // a member obeys whatever it finds there
                cluster.members.get(m - 1).start();
            }
            for (int m = 1; m <= size; m++) {
                cluster.awaitServing(m);
            }
            return cluster;
        } catch (final IOException | RuntimeException | InterruptedException e) {
            cluster.close();
            throw e;
        }
    }

    /** The server's argv with etcd's flags for member {@code m}, as an operator passes them. */
    private List<String> argv(final int m, final String initialCluster, final String clusterState) {
        final List<String> argv = new ArrayList<>(server.argv());
        argv.addAll(List.of(
            "--name", name(m),
            "--data-dir", dataDir(m).toString(),
            "--listen-client-urls", clientUrl(m),
            "--advertise-client-urls", clientUrl(m),
            "--listen-peer-urls", peerUrl(m),
            "--initial-advertise-peer-urls", peerUrl(m),
            "--initial-cluster", initialCluster,
            "--initial-cluster-token", TOKEN,
            "--initial-cluster-state", clusterState));
        argv.addAll(extraFlags);
        return lab.command(m, argv.toArray(String[]::new));
    }

    private Path dataDir(final int member) {
        return dir.resolve(name(member) + ".data");
    }

    public static String name(final int member) {
        return "m" + member;
    }

    public int size() {
        return members.size();
    }

    public String clientUrl(final int member) {
        return "http://" + lab.address(member) + ":" + CLIENT_PORT;
    }

    public String peerUrl(final int member) {
        return "http://" + lab.address(member) + ":" + PEER_PORT;
    }

    public ManagedChannel channel(final int member) {
        return channels.get(member - 1);
    }

    public Path logFile(final int member) {
        return members.get(member - 1).logFile();
    }

    public Path dir() {
        return dir;
    }

    public void kill(final int member) throws InterruptedException {
        members.get(member - 1).kill();
    }

    public void restart(final int member) throws IOException {
        Files.deleteIfExists(faultControl(member)); // a member obeys whatever it finds there
        members.get(member - 1).start();
    }

    /** Whether members take storage faults (see {@link ServerCommand#storageFaults}). */
    public boolean storageFaults() {
        return storageFaults;
    }

    /** Every fdatasync of the member waits {@code delayMillis} first, until {@link #healthyDisk}. */
    public void slowFdatasync(final int member, final long delayMillis) throws IOException {
        command(member, "slow-fdatasync " + delayMillis);
    }

    public void healthyDisk(final int member) throws IOException {
        command(member, "healthy");
    }

    /**
     * Cuts the power of {@code cut} members at once: each reverts what it had not synced (seeded:
     * {@code seed + member}) and exits. Waits for that; a member that does not exit in time is
     * killed instead (its unsynced writes all kept, also a state a power cut can leave).
     *
     * @return the members that were killed instead
     */
    public List<Integer> powerCut(final List<Integer> cut, final long seed) throws IOException, InterruptedException {
        for (final int member : cut) {
            command(member, "power-cut " + (seed + member));
        }
        final List<Integer> killed = new ArrayList<>();
        for (final int member : cut) {
            if (!members.get(member - 1).awaitExit(POWER_CUT_EXIT_SECONDS)) {
                kill(member);
                killed.add(member);
            }
        }
        return killed;
    }

    private void command(final int member, final String command) throws IOException {
        if (!storageFaults) {
            throw new IllegalStateException("these members have no storage fault layer");
        }
        final Path control = faultControl(member);
        final Path next = control.resolveSibling(control.getFileName() + ".next");
        Files.writeString(next, faultCommands.incrementAndGet() + " " + command + "\n");
        Files.move(next, control, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private Path faultControl(final int member) {
        return dir.resolve(name(member) + ".fault-control");
    }

    public void pause(final int member) throws IOException, InterruptedException {
        members.get(member - 1).pause();
    }

    public void resume(final int member) throws IOException, InterruptedException {
        members.get(member - 1).resume();
    }

    public boolean isRunning(final int member) {
        return members.get(member - 1).isRunning();
    }

    public boolean isPaused(final int member) {
        return members.get(member - 1).isPaused();
    }

    /** Waits until the member answers a linearizable Range (it has a leader and is caught up with it). */
    public void awaitServing(final int member) throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SERVING_TIMEOUT_SECONDS);
        final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel(member));
        final RangeRequest probe = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("probe")).build();
        while (true) {
            if (!isRunning(member)) {
                throw new IOException(name(member) + " exited; its log: " + logFile(member));
            }
            try {
                kv.withDeadlineAfter(PROBE_DEADLINE_MILLIS, TimeUnit.MILLISECONDS).range(probe);
                return;
            } catch (final StatusRuntimeException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IOException(name(member) + " did not serve within " + SERVING_TIMEOUT_SECONDS
                        + " s; its log: " + logFile(member), notYet);
                }
                Thread.sleep(100);
            }
        }
    }

    /** Maintenance Status of a member, or null if it does not answer within a second. */
    public StatusResponse status(final int member) {
        try {
            return MaintenanceGrpc.newBlockingStub(channel(member))
                .withDeadlineAfter(PROBE_DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
                .status(StatusRequest.getDefaultInstance());
        } catch (final StatusRuntimeException unreachable) {
            return null;
        }
    }

    /** The member that some running member names as leader and that says so itself, or 0 if none. */
    public int leader() {
        for (int m = 1; m <= size(); m++) {
            if (!isRunning(m) || isPaused(m)) {
                continue;
            }
            final StatusResponse status = status(m);
            if (status != null && status.getLeader() != 0 && status.getLeader() == status.getHeader().getMemberId()) {
                return m;
            }
        }
        return 0;
    }

    /** The cluster's members as {@code via} lists them (etcd's MemberList); throws if it does not answer. */
    public List<Member> memberList(final int via) {
        return ClusterGrpc.newBlockingStub(channel(via))
            .withDeadlineAfter(MEMBERSHIP_DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
            .memberList(MemberListRequest.getDefaultInstance()).getMembersList();
    }

    /** MemberRemove of {@code id}, asked of {@code via}; throws what the member answered. */
    public void memberRemove(final int via, final long id) {
        ClusterGrpc.newBlockingStub(channel(via))
            .withDeadlineAfter(MEMBERSHIP_DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
            .memberRemove(MemberRemoveRequest.newBuilder().setID(id).build());
    }

    /** MemberAdd of {@code member}'s peer URL (a voting member), asked of {@code via}; throws what it answered. */
    public MemberAddResponse memberAdd(final int via, final int member) {
        return ClusterGrpc.newBlockingStub(channel(via))
            .withDeadlineAfter(MEMBERSHIP_DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
            .memberAdd(MemberAddRequest.newBuilder().addPeerURLs(peerUrl(member)).build());
    }

    /** Deletes a stopped member's data directory: the machine is replaced, its disk is new. */
    public void wipe(final int member) throws IOException {
        if (isRunning(member)) {
            throw new IllegalStateException(name(member) + " is running");
        }
        final Path data = dataDir(member);
        if (!Files.exists(data)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(data)) {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /**
     * Starts a stopped member with an empty data directory as a member of the cluster it finds:
     * same name and URLs, {@code --initial-cluster-state existing} and {@code initialCluster} (what
     * {@code etcdctl member add} prints as ETCD_INITIAL_CLUSTER). Its later restarts reuse these
     * flags; etcd and Cairn ignore the initial cluster once the data directory holds a member.
     */
    public void rejoin(final int member, final String initialCluster) throws IOException {
        members.get(member - 1).relaunchWith(argv(member, initialCluster, "existing"));
        restart(member);
    }

    @Override
    public void close() {
        for (final ManagedChannel channel : channels) {
            channel.shutdownNow();
        }
        for (final MemberProcess member : members) {
            try {
                member.stop();
            } catch (final IOException | InterruptedException e) {
                try {
                    member.kill();
                } catch (final InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
