package io.cairn.engine.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.cairn.engine.testing.Etcdctl;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.ThreeMembers;
import io.cairn.etcd.api.etcdserverpb.ClusterGrpc;
import io.cairn.etcd.api.etcdserverpb.MaintenanceGrpc;
import io.cairn.etcd.api.etcdserverpb.MemberAddRequest;
import io.cairn.etcd.api.etcdserverpb.StatusRequest;
import io.cairn.etcd.api.etcdserverpb.StatusResponse;
import io.cairn.etcd.api.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.api.etcdserverpb.WatchGrpc;
import io.cairn.etcd.api.etcdserverpb.WatchRequest;
import io.cairn.etcd.api.etcdserverpb.WatchResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Membership changes through etcdctl, as an operator makes them, against a three-member cluster that
 * grows to five and shrinks again: list; add a learner m4 and start it with the printed
 * --initial-cluster and {@code existing}; what the learner refuses; promote it once in sync; add a
 * voter m5, fix its peer URL with {@code member update} before starting it; every refusal (too many
 * learners, a peer URL in use, an unstarted learner or a voter promoted, an unknown or removed id, a
 * bad URL, an unhealthy cluster, not enough started members); remove a member that is down, the
 * leader, and the member etcdctl talks to (both end their process), and a removed member restarted
 * on its data directory. The transcript, normalized ({@link MembershipTranscript}), must equal the one
 * recorded from etcd 3.4.23 in {@code src/test/resources/membership/} step by step; an etcd run checks
 * that the recording still is what etcd does. Roles are fixed by name: m1 leads (moved there if the
 * election chose another), etcdctl talks to m2, m3 goes down.
 *
 * <p>etcd's reconfiguration checks count a peer as connected only 5 s after its connection came up
 * (HealthInterval): an add or a remove sent sooner answers "unhealthy cluster". Steps that must
 * succeed retry that answer within a deadline; the steps that expect it run where it does not
 * depend on timing (a voter added but not started, or a member down).
 *
 * <p>{@code -Dcairn.cluster.kinds=ETCD} (or CAIRN) selects the servers; etcd's run is tagged slow.
 */
class MembershipDifferentialIT {
    private static final long RETRY_SECONDS = 20;
    private static final long START_SECONDS = 30;
    private static final long EXIT_MILLIS = 15_000;
    private static final String UNHEALTHY = "etcdserver: unhealthy cluster";
    private static final String NOT_IN_SYNC = "can only promote a learner member which is in sync with leader";
    private static final String REMOVED = "the member has been permanently removed from the cluster";
    private static final Pattern ADDED = Pattern.compile("Member +([0-9a-f]+) added to cluster");
    private static final Pattern INITIAL_CLUSTER = Pattern.compile("(?m)^ETCD_INITIAL_CLUSTER=\"(.*)\"$");

    @RegisterExtension
    final ThreeMembers.Logs logs = new ThreeMembers.Logs();

    /** Cairn against etcd's recorded answers: in the default suite. */
    @Test
    void cairnAnswersAsEtcdDid() throws Exception {
        runIfSelected(ServerProcess.Kind.CAIRN);
    }

    /** etcd itself against its recording, that the recording still is what etcd does: with -Pslow (it takes 30 s). */
    @Test
    @Tag("slow")
    void etcdStillAnswersAsRecorded() throws Exception {
        runIfSelected(ServerProcess.Kind.ETCD);
    }

    private void runIfSelected(final ServerProcess.Kind kind) throws Exception {
        ThreeMembers.assumeSelected(kind);
        final Path record = Path.of("target", "membership-" + kind.name().toLowerCase(Locale.ROOT) + ".transcript");
        try (ThreeMembers cluster = ThreeMembers.start(kind, logs);
             Session session = new Session(kind, cluster, new MembershipTranscript(MembershipTranscript.expected(),
                 record))) {
            session.run();
        }
    }

    /** Members m4..m7 beyond the cluster's m1..m3: their ports, and the processes of those started. */
    private static final class Session implements AutoCloseable {
        private final ServerProcess.Kind kind;
        private final ThreeMembers cluster;
        private final MembershipTranscript out;
        private final Path dir;
        private final Map<String, Integer> ports = new LinkedHashMap<>();
        private final Map<String, ServerProcess> extra = new LinkedHashMap<>();
        private final Map<String, Long> ids = new LinkedHashMap<>();

        Session(final ServerProcess.Kind kind, final ThreeMembers cluster, final MembershipTranscript out)
            throws IOException {
            this.kind = kind;
            this.cluster = cluster;
            this.out = out;
            this.dir = cluster.dataDir(0).getParent();
            for (final String role : List.of("m4-client", "m4-peer", "m5-client", "m5-peer-a", "m5-peer-b",
                "m6-peer", "m7-peer")) {
                int port;
                do {
                    port = ServerProcess.freePort();
                } while (ports.containsValue(port));
                ports.put(role, port);
                out.port(port, role);
            }
        }

        void run() throws Exception {
            for (int i = 0; i < ThreeMembers.SIZE; i++) {
                final int port = Integer.parseInt(cluster.clientUrl(i).substring(cluster.clientUrl(i).lastIndexOf(':') + 1));
                final int peer = Integer.parseInt(cluster.peerUrl(i).substring(cluster.peerUrl(i).lastIndexOf(':') + 1));
                out.port(port, ThreeMembers.name(i) + "-client");
                out.port(peer, ThreeMembers.name(i) + "-peer");
                final StatusResponse status = cluster.status(i);
                ids.put(ThreeMembers.name(i), status.getHeader().getMemberId());
                out.member(ThreeMembers.name(i), status.getHeader().getMemberId());
                out.cluster(status.getHeader().getClusterId());
            }
            makeLeader("m1");
            final String m2 = cluster.clientUrl(1);

            // Three started members.
            ctl("put on m2", m2, "put", "k", "before-learner");
            ctl("member list", m2, "member", "list");
            ctl("member list -w table", m2, "member", "list", "-w", "table");
            ctl("member list -w json", m2, "member", "list", "-w", "json");

            // A learner added; refusals while it has not started.
            final String addM4 = retryWhile(out -> out.contains(UNHEALTHY), m2,
                "member", "add", "m4", "--learner", "--peer-urls=" + url("m4-peer"));
            learnAddedId("m4", addM4);
            out.step("member add m4 --learner", addM4);
            ctl("member list: m4 unstarted learner", m2, "member", "list");
            ctl("a second learner", m2, "member", "add", "m5", "--learner", "--peer-urls=" + url("m5-peer-a"));
            ctl("a voter on m1's peer URL", m2, "member", "add", "m6", "--peer-urls=" + cluster.peerUrl(0));
            ctl("a learner on m1's peer URL", m2, "member", "add", "m6", "--learner", "--peer-urls=" + cluster.peerUrl(0));
            ctl("a URL without scheme (etcdctl checks)", m2, "member", "add", "m6", "--peer-urls=foo");
            out.step("MemberAdd over gRPC with peer URL foo", memberAddGrpc(cluster.channel(1), "foo"));
            out.step("MemberAdd over gRPC with peer URL http://127.0.0.1 (no port)",
                memberAddGrpc(cluster.channel(1), "http://127.0.0.1"));
            ctl("promote m4, not started", m2, "member", "promote", hex("m4"));
            ctl("promote m1, a voter", m2, "member", "promote", hex("m1"));
            ctl("promote an unknown id", m2, "member", "promote", "1234");

            // m4 starts with what member add printed, and is a learner.
            final ServerProcess m4 = startExtra("m4", "m4-client", "m4-peer", initialCluster(addM4));
            awaitStatus(m4.channel());
            final StatusResponse m4Status = MaintenanceGrpc.newBlockingStub(m4.channel())
                .withDeadlineAfter(5, TimeUnit.SECONDS).status(StatusRequest.getDefaultInstance());
            out.step("m4's Status", "isLearner: " + m4Status.getIsLearner() + "\n");
            final String m4Url = m4.clientUrl();
            ctl("put on the learner", m4Url, "put", "k", "v");
            ctl("get on the learner", m4Url, "get", "k");
            out.step("get --consistency=s on the learner (once it has caught up)",
                retryWhile(o -> !o.contains("before-learner"), m4Url, "get", "k", "--consistency=s"));
            ctl("get --consistency=s -w json on the learner", m4Url, "get", "k", "--consistency=s", "-w", "json");
            ctl("endpoint status on the learner", m4Url, "endpoint", "status");
            ctl("endpoint health on the learner", m4Url, "endpoint", "health");
            ctl("member list on the learner", m4Url, "member", "list");
            ctl("lease grant on the learner", m4Url, "lease", "grant", "10");
            out.step("Watch stream on the learner", watchGrpc(m4.channel()));

            // Promoted once in sync.
            out.step("promote m4 (retried while not in sync)",
                retryWhile(o -> o.contains(NOT_IN_SYNC), m2, "member", "promote", hex("m4")));
            ctl("promote m4 again", m2, "member", "promote", hex("m4"));
            ctl("put on m4, a voter now", m4Url, "put", "k", "after-promotion");
            ctl("member list: m4 a started voter", m2, "member", "list");

            // A voter m5, its peer URL corrected before it starts.
            final String addM5 = retryWhile(o -> o.contains(UNHEALTHY), m2,
                "member", "add", "m5", "--peer-urls=" + url("m5-peer-a"));
            learnAddedId("m5", addM5);
            out.step("member add m5 (a voter)", addM5);
            ctl("member update m5 to a new peer URL", m2, "member", "update", hex("m5"), "--peer-urls=" + url("m5-peer-b"));
            ctl("member update m5 to m1's peer URL", m2, "member", "update", hex("m5"), "--peer-urls=" + cluster.peerUrl(0));
            ctl("member update m1 to its own peer URL", m2, "member", "update", hex("m1"), "--peer-urls=" + cluster.peerUrl(0));
            ctl("member update an unknown id", m2, "member", "update", "1234", "--peer-urls=" + url("m6-peer"));
            ctl("member list: m5 unstarted on its new URL", m2, "member", "list");
            ctl("a voter while m5 has not started", m2, "member", "add", "m6", "--peer-urls=" + url("m6-peer"));
            ctl("a learner while m5 has not started", m2, "member", "add", "m6", "--learner", "--peer-urls=" + url("m6-peer"));

            // m3 goes down: one of three down and an added voter not started.
            cluster.kill(2);
            ctl("a voter while m3 is down and m5 not started", m2, "member", "add", "m6", "--peer-urls=" + url("m6-peer"));

            final ServerProcess m5 = startExtra("m5", "m5-client", "m5-peer-b",
                initialCluster(addM5).replace(url("m5-peer-a"), url("m5-peer-b")));
            m5.awaitServing();
            ctl("member list: m5 started, m3 down", m2, "member", "list");

            // Removals: the member that is down, then the leader, then the member etcdctl talks to.
            ctl("remove m3, which is down", m2, "member", "remove", hex("m3"));
            ctl("remove m3 again", m2, "member", "remove", hex("m3"));
            ctl("update m3, removed", m2, "member", "update", hex("m3"), "--peer-urls=" + url("m6-peer"));
            // Sent to the leader: a follower forwards a promote to the leader and retries every answer
            // but three (not in sync, not found, not a learner) until etcdctl's 5 s run out, and a
            // removed id answers none of those three.
            ctl("promote m3, removed (on the leader)", cluster.clientUrl(0), "member", "promote", hex("m3"));
            ctl("remove an unknown id", m2, "member", "remove", "1234");
            makeLeader("m1");
            out.step("remove m1, the leader", retryWhile(o -> o.contains(UNHEALTHY), m2, "member", "remove", hex("m1")));
            out.step("m1 ends", ending(cluster.member(0)));
            awaitLeader(List.of(cluster.member(1), m4, m5));
            out.step("remove m2, the member etcdctl talks to",
                retryWhile(o -> o.contains(UNHEALTHY), m2, "member", "remove", hex("m2")));
            out.step("m2 ends", ending(cluster.member(1)));
            awaitLeader(List.of(m4, m5));
            ctl("member list on m4: m4 and m5", m4Url, "member", "list");

            // m3, removed while it was down, comes back on its data directory.
            out.step("m3 restarted on its data directory", ending(cluster.relaunch(2)));

            // Two started voters: a third unstarted one may be added, a fourth not.
            final String addM6 = retryWhile(o -> o.contains(UNHEALTHY), m4Url,
                "member", "add", "m6", "--peer-urls=" + url("m6-peer"));
            learnAddedId("m6", addM6);
            out.step("member add m6 with two of two started", addM6);
            ctl("member add m7 with two of three started", m4Url, "member", "add", "m7", "--peer-urls=" + url("m7-peer"));
            ctl("member list: m4, m5 and m6 unstarted", m4Url, "member", "list", "-w", "table");
            out.assertComplete();
        }

        private void ctl(final String label, final String endpoint, final String... arguments)
            throws IOException, InterruptedException {
            out.step(label, command(arguments) + Etcdctl.run(endpoint, arguments));
        }

        private static String command(final String... arguments) {
            return "$ etcdctl " + String.join(" ", arguments) + "\n";
        }

        /** Runs the command again while {@code retry} holds of its output, within {@link #RETRY_SECONDS}; the last. */
        private static String retryWhile(final Predicate<String> retry, final String endpoint, final String... arguments)
            throws IOException, InterruptedException {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RETRY_SECONDS);
            while (true) {
                final String output = Etcdctl.run(endpoint, arguments);
                if (!retry.test(output) || System.nanoTime() > deadline) {
                    return command(arguments) + output;
                }
                TimeUnit.MILLISECONDS.sleep(250);
            }
        }

        private void learnAddedId(final String name, final String output) {
            final Matcher added = ADDED.matcher(output);
            if (added.find()) {
                final long id = Long.parseUnsignedLong(added.group(1), 16);
                ids.put(name, id);
                out.member(name, id);
            }
        }

        private static String initialCluster(final String addOutput) {
            final Matcher m = INITIAL_CLUSTER.matcher(addOutput);
            assertTrue(m.find(), "no ETCD_INITIAL_CLUSTER in " + addOutput);
            return m.group(1);
        }

        private String hex(final String name) {
            return Long.toHexString(ids.getOrDefault(name, 0x4d4953L));
        }

        private String url(final String role) {
            return "http://127.0.0.1:" + ports.get(role);
        }

        private ServerProcess startExtra(final String name, final String client, final String peer,
            final String initialCluster) throws IOException {
            final ServerProcess process = ServerProcess.launch(kind, ports.get(client), url(peer),
                dir.resolve(name + ".log"), List.of(
                    "--name", name,
                    "--data-dir", dir.resolve("d" + name.substring(1)).toString(),
                    "--listen-client-urls", url(client),
                    "--advertise-client-urls", url(client),
                    "--listen-peer-urls", url(peer),
                    "--initial-advertise-peer-urls", url(peer),
                    "--initial-cluster", initialCluster,
                    "--initial-cluster-token", ThreeMembers.TOKEN,
                    "--initial-cluster-state", "existing"));
            extra.put(name, process);
            return process;
        }

        /** A learner serves no linearizable read: it has started once it answers Status. */
        private static void awaitStatus(final ManagedChannel channel) throws InterruptedException {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
            while (true) {
                try {
                    MaintenanceGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.SECONDS)
                        .status(StatusRequest.getDefaultInstance());
                    return;
                } catch (final StatusRuntimeException notYet) {
                    assertTrue(System.nanoTime() < deadline, "no Status within " + START_SECONDS + " s: " + notYet);
                    TimeUnit.MILLISECONDS.sleep(100);
                }
            }
        }

        /** Moves leadership to {@code name} if another member leads (not part of the transcript). */
        private void makeLeader(final String name) throws Exception {
            final int leader = cluster.leaderIndex();
            if (!ThreeMembers.name(leader).equals(name)) {
                final String moved = Etcdctl.run(cluster.clientUrl(leader), "move-leader", hex(name));
                assertTrue(moved.startsWith("exit 0"), moved);
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RETRY_SECONDS);
            while (!ThreeMembers.name(cluster.leaderIndex()).equals(name)) {
                assertTrue(System.nanoTime() < deadline, name + " does not lead");
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }

        /** Until one of {@code members} answers Status naming a leader that is one of them. */
        private void awaitLeader(final List<ServerProcess> members) throws InterruptedException {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RETRY_SECONDS);
            while (System.nanoTime() < deadline) {
                final List<Long> live = new ArrayList<>();
                long leader = 0;
                for (final ServerProcess member : members) {
                    try {
                        final StatusResponse status = MaintenanceGrpc.newBlockingStub(member.channel())
                            .withDeadlineAfter(1, TimeUnit.SECONDS).status(StatusRequest.getDefaultInstance());
                        live.add(status.getHeader().getMemberId());
                        leader = status.getLeader();
                    } catch (final StatusRuntimeException down) {
                        // not this one
                    }
                }
                if (leader != 0 && live.contains(leader)) {
                    return;
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
            throw new AssertionError("no leader among the remaining members within " + RETRY_SECONDS + " s");
        }

        /** How a member that was removed ends: its exit code and whether its log says why. */
        private static String ending(final ServerProcess member) throws IOException, InterruptedException {
            final int exit = member.awaitExit(EXIT_MILLIS);
            return (exit < 0 ? "still runs after " + EXIT_MILLIS / 1000 + " s" : "exit " + exit) + "\n"
                + "log says \"" + REMOVED + "\": " + member.log().contains(REMOVED) + "\n";
        }

        private static String memberAddGrpc(final ManagedChannel channel, final String peerUrl) {
            try {
                ClusterGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .memberAdd(MemberAddRequest.newBuilder().addPeerURLs(peerUrl).build());
                return "added\n";
            } catch (final StatusRuntimeException e) {
                return e.getStatus().getCode() + ": " + e.getStatus().getDescription() + "\n";
            }
        }

        private static String watchGrpc(final ManagedChannel channel) throws Exception {
            final CompletableFuture<String> ended = new CompletableFuture<>();
            final StreamObserver<WatchRequest> requests = WatchGrpc.newStub(channel).watch(new StreamObserver<>() {
                @Override
                public void onNext(final WatchResponse response) {
                    ended.complete("answered: created=" + response.getCreated());
                }

                @Override
                public void onError(final Throwable t) {
                    final io.grpc.Status status = io.grpc.Status.fromThrowable(t);
                    ended.complete(status.getCode() + ": " + status.getDescription());
                }

                @Override
                public void onCompleted() {
                    ended.complete("completed");
                }
            });
            requests.onNext(WatchRequest.newBuilder().setCreateRequest(
                WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8("k"))).build());
            try {
                return ended.get(10, TimeUnit.SECONDS) + "\n";
            } finally {
                requests.onError(io.grpc.Status.CANCELLED.asException());
            }
        }

        @Override
        public void close() throws IOException {
            for (final ServerProcess process : extra.values()) {
                try {
                    process.kill();
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                process.close();
            }
            if (kind == ServerProcess.Kind.CAIRN) {
                for (final String role : List.of("m4-peer", "m5-peer-a", "m5-peer-b")) {
                    ThreeMembers.deleteAeronDirectory(ports.get(role));
                }
            }
            for (final String name : extra.keySet()) {
                ServerProcess.deleteRecursively(dir.resolve("d" + name.substring(1)));
            }
        }
    }
}
