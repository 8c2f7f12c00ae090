package io.cairn.engine.node;

import io.cairn.engine.cluster.InitialMembers;
import io.cairn.posix.NativePosix;
import io.cairn.raft.Message;
import io.cairn.transport.FaultPlan;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * Three (or more) members in one JVM, talking over Aeron on loopback UDP, each with its own data
 * dir and media driver directory under {@code dir}. Members can be stopped and started again, and
 * each receives its Raft frames through its own {@link FaultPlan} (kept across restarts), so a test
 * can partition a member or slow what reaches it.
 */
final class InJvmCluster implements AutoCloseable {
    /** Peer ports are picked in 20000..31999 (see {@link #freeUdpPort}). */
    private static final int LOW_PORT_MIN = 20_000;
    private static final int LOW_PORT_COUNT = 12_000;
    private final Path dir;
    private final MemberOptions options;
    private final Map<String, List<URI>> peerUrls = new LinkedHashMap<>();
    private final RaftKeyValueStore[] members;
    private final FaultPlan[] faults;
    private final long[] ids;
    /** Per member, the sends its transport is to refuse, for members set up with {@link #refusingSends}. */
    private final List<AtomicReference<Predicate<Message>>> refusedSends = new ArrayList<>();
    private volatile boolean plantedBugFollowerReads;

    InJvmCluster(final Path dir, final int size, final MemberOptions options) throws IOException {
        this.dir = dir;
        this.options = options;
        this.members = new RaftKeyValueStore[size];
        this.faults = new FaultPlan[size];
        this.ids = new long[size];
        for (int i = 0; i < size; i++) {
            peerUrls.put("m" + (i + 1), List.of(URI.create("http://127.0.0.1:" + freeUdpPort())));
            faults[i] = new FaultPlan(i + 1);
        }
        for (int i = 0; i < size; i++) {
            ids[i] = initial("m" + (i + 1)).idOf("m" + (i + 1));
            refusedSends.add(null);
        }
    }

    private InitialMembers initial(final String name) {
        return InitialMembers.of(peerUrls, "tok", name, peerUrls.get(name));
    }

    /** Starts every member; each open returns at once (a member of a cluster does not wait for a leader). */
    InJvmCluster startAll() throws IOException {
        for (int i = 0; i < members.length; i++) {
            start(i);
        }
        return this;
    }

    void start(final int i) throws IOException {
        final String name = "m" + (i + 1);
        final ClusterOptions cluster = new ClusterOptions(name, initial(name),
            List.of("http://127.0.0.1:" + (23790 + i)), peerUrls.get(name).getFirst().toString(),
            dir.resolve("aeron-" + name), faults[i]);
        final Path data = dir.resolve(name);
        final AtomicReference<Predicate<Message>> refused = refusedSends.get(i);
        members[i] = refused == null
            ? RaftKeyValueStore.open(data, data.resolve("member").resolve("wal"), options, cluster, NativePosix.INSTANCE)
            : RaftKeyValueStore.open(data, data.resolve("member").resolve("wal"), options, cluster, NativePosix.INSTANCE,
                (storage, alone) -> new RefusingPeers(RaftKeyValueStore.startPeers(storage, cluster), refused));
        members[i].plantedBugFollowerReadsSkipReadIndex = plantedBugFollowerReads;
    }

    /**
     * Member {@code i}, once started, has its transport refuse (send nothing, answer false) every send
     * that {@code refused} holds at the time matches, as Aeron does under back pressure or with the
     * peer's link down.
     */
    InJvmCluster refusingSends(final int i, final AtomicReference<Predicate<Message>> refused) {
        refusedSends.set(i, refused);
        return this;
    }

    /**
     * Plants a bug on every member, running or started later: followers allow linearizable reads
     * without ReadIndex (see {@link RaftKeyValueStore#plantedBugFollowerReadsSkipReadIndex}).
     */
    void plantFollowerReadsWithoutReadIndex() {
        plantedBugFollowerReads = true;
        for (final RaftKeyValueStore member : members) {
            if (member != null) {
                member.plantedBugFollowerReadsSkipReadIndex = true;
            }
        }
    }

    void stop(final int i) throws IOException {
        members[i].close();
        members[i] = null;
    }

    RaftKeyValueStore member(final int i) {
        return members[i];
    }

    int size() {
        return members.length;
    }

    /** Member {@code i}'s id (known whether it runs or not). */
    long id(final int i) {
        return ids[i];
    }

    /** The faults applied to what member {@code i} receives (e.g. a delay to make it lag). */
    FaultPlan faults(final int i) {
        return faults[i];
    }

    /** Member {@code i} and every other member ignore each other's frames, both ways, until {@link #heal}. */
    void isolate(final int i) {
        for (int j = 0; j < members.length; j++) {
            if (j != i) {
                faults[i].blockFrom(ids[j]);
                faults[j].blockFrom(ids[i]);
            }
        }
    }

    /** Members {@code i} and {@code j} ignore each other's frames, both ways, until {@link #heal}. */
    void cut(final int i, final int j) {
        faults[i].blockFrom(ids[j]);
        faults[j].blockFrom(ids[i]);
    }

    /** Every member gets every frame again at once (frames held for a delay still arrive). */
    void heal() {
        for (final FaultPlan plan : faults) {
            plan.heal();
        }
    }

    /** The index of the member every running member agrees leads, or -1. */
    int leader() {
        final RaftKeyValueStore leader = agreedLeader(java.util.Arrays.stream(members).filter(m -> m != null).toList());
        for (int i = 0; i < members.length; i++) {
            if (members[i] != null && members[i] == leader) {
                return i;
            }
        }
        return -1;
    }

    /** The one of {@code running} that every one of them says leads, or null (none, or they disagree). */
    static RaftKeyValueStore agreedLeader(final java.util.Collection<RaftKeyValueStore> running) {
        long leaderId = 0;
        for (final RaftKeyValueStore m : running) {
            final long seen = m.status().leaderId();
            if (seen == 0 || (leaderId != 0 && seen != leaderId)) {
                return null;
            }
            leaderId = seen;
        }
        for (final RaftKeyValueStore m : running) {
            if (m.status().memberId() == leaderId) {
                return m;
            }
        }
        return null;
    }

    /**
     * A UDP port free now, below Linux's ephemeral range (32768 and up): a port the kernel handed
     * out as ephemeral could be handed out again to a publication's own socket before the member
     * meant to listen on it binds it ("Address already in use", seen twice).
     */
    static int freeUdpPort() throws IOException {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            final int port = LOW_PORT_MIN + java.util.concurrent.ThreadLocalRandom.current().nextInt(LOW_PORT_COUNT);
            try (DatagramSocket socket = new DatagramSocket(new java.net.InetSocketAddress("127.0.0.1", port))) {
                return socket.getLocalPort();
            } catch (final java.net.SocketException taken) {
                // in use: try another
            }
        }
        throw new IOException("no free UDP port in " + LOW_PORT_MIN + ".." + (LOW_PORT_MIN + LOW_PORT_COUNT - 1));
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (int i = 0; i < members.length; i++) {
            if (members[i] != null) {
                try {
                    stop(i);
                } catch (final IOException e) {
                    first = first == null ? e : first;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
