package io.cairn.engine.node;

import io.cairn.engine.cluster.InitialMembers;
import io.cairn.engine.cluster.Member;
import io.cairn.engine.cluster.MemberIds;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.posix.NativePosix;
import io.cairn.transport.FaultPlan;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Members in one JVM whose cluster changes: it starts as one member, grows by MemberAdd and a new
 * member started as `--initial-cluster-state existing` would start it, and shrinks by
 * MemberRemove. Members are known by name; each has its own data dir, peer port and media driver
 * directory under {@code dir}.
 */
final class GrowingCluster implements AutoCloseable {
    private static final long CHANGE_TIMEOUT_SECONDS = 30;

    private final Path dir;
    private final MemberOptions options;
    /** Read by writer threads while the test changes it. */
    private final Map<String, RaftKeyValueStore> running = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final Map<String, String> peerUrls = new LinkedHashMap<>();
    private final Map<String, Long> ids = new LinkedHashMap<>();
    private final Map<String, InitialMembers> initial = new LinkedHashMap<>();
    private int added;

    GrowingCluster(final Path dir, final MemberOptions options) {
        this.dir = dir;
        this.options = options;
    }

    /** The cluster's first member, alone. */
    RaftKeyValueStore startFirst(final String name) throws IOException {
        final String url = "http://127.0.0.1:" + freeUdpPort();
        peerUrls.put(name, url);
        final InitialMembers members = InitialMembers.of(Map.of(name, List.of(URI.create(url))), "tok", name,
            List.of(URI.create(url)));
        initial.put(name, members);
        ids.put(name, members.idOf(name));
        return start(name);
    }

    /**
     * MemberAdd through {@code via}, then the new member started with the members it returned (as
     * a joining member learns them from a running one). Returns the new member.
     */
    RaftKeyValueStore add(final String name, final boolean learner, final RaftKeyValueStore via) throws Exception {
        final String url = peerUrls.containsKey(name) ? peerUrls.get(name) : "http://127.0.0.1:" + freeUdpPort();
        peerUrls.put(name, url);
        final long id = MemberIds.memberId(List.of(URI.create(url)), "added-" + (++added));
        final List<Member> after = via.addMember(id, List.of(url), learner).get(CHANGE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        final List<Member> named = new ArrayList<>();
        for (final Member member : after) {
            named.add(member.id() == id ? new Member(id, name, member.peerUrls(), List.of(), member.learner()) : member);
        }
        initial.put(name, InitialMembers.joining(via.status().clusterId(), named));
        ids.put(name, id);
        return start(name);
    }

    /** MemberRemove of {@code name} through {@code via}. */
    List<Member> remove(final String name, final RaftKeyValueStore via) throws Exception {
        return via.removeMember(ids.get(name)).get(CHANGE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * MemberUpdate of {@code name} to a new peer URL through {@code via}; the member itself listens
     * there once restarted ({@link #stop}, {@link #start}), as an operator moves one.
     */
    List<Member> movePeerUrl(final String name, final RaftKeyValueStore via) throws Exception {
        final String url = "http://127.0.0.1:" + freeUdpPort();
        final List<Member> after = via.updateMember(ids.get(name), List.of(url)).get(CHANGE_TIMEOUT_SECONDS,
            TimeUnit.SECONDS);
        peerUrls.put(name, url);
        return after;
    }

    RaftKeyValueStore start(final String name) throws IOException {
        final ClusterOptions cluster = new ClusterOptions(name, initial.get(name),
            List.of("http://127.0.0.1:" + (24000 + running.size())), peerUrls.get(name),
            dir.resolve("aeron-" + name), new FaultPlan(ids.get(name)));
        final Path data = dir.resolve(name);
        final RaftKeyValueStore member = RaftKeyValueStore.open(data, data.resolve("member").resolve("wal"), options,
            cluster, NativePosix.INSTANCE);
        running.put(name, member);
        return member;
    }

    void stop(final String name) throws IOException {
        final RaftKeyValueStore member = running.remove(name);
        if (member != null) {
            member.close();
        }
    }

    /** Stops the member and deletes its data: a replaced machine. */
    void wipe(final String name) throws IOException {
        stop(name);
        ServerProcess.deleteRecursively(dir.resolve(name));
    }

    RaftKeyValueStore member(final String name) {
        return running.get(name);
    }

    Map<String, RaftKeyValueStore> running() {
        return running;
    }

    String peerUrl(final String name) {
        return peerUrls.get(name);
    }

    long id(final String name) {
        return ids.get(name);
    }

    /** The running member every running member agrees leads, or null. */
    RaftKeyValueStore leader() {
        return InJvmCluster.agreedLeader(running.values());
    }

    private static int freeUdpPort() throws IOException {
        return InJvmCluster.freeUdpPort();
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (final String name : List.copyOf(running.keySet())) {
            try {
                stop(name);
            } catch (final IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
