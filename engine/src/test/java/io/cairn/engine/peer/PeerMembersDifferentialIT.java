package io.cairn.engine.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.cairn.engine.cluster.Member;
import io.cairn.engine.testing.Etcdctl;
import io.cairn.engine.testing.ServerProcess;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Debian etcd 3.4.23's own peer port against Cairn's: {@link RemoteCluster} reads etcd's
 * {@code GET /members} into the ids, names, URLs and learner flags that {@code etcdctl member list
 * -w json} reports (a started member, and a learner added with {@code member add} that has no name
 * nor client URLs yet), and {@link PeerHttpServer} serving that view answers the same bytes as
 * etcd, for /members, /version, an unknown path and a wrong method.
 */
class PeerMembersDifferentialIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final long CLUSTER_VERSION_WAIT_MILLIS = 10_000;

    @Test
    void etcdsMembersAreReadAsEtcdctlListsThemAndServedWithEtcdsBytes() throws Exception {
        try (ServerProcess etcd = ServerProcess.start(ServerProcess.Kind.ETCD, ServerProcess.freePort(),
            ServerProcess.freePort())) {
            final int learnerPort = ServerProcess.freePort();
            final String added = Etcdctl.run(etcd.clientUrl(), "member", "add", "joiner", "--learner",
                "--peer-urls=http://localhost:" + learnerPort + ",http://127.0.0.1:" + learnerPort);
            assertTrue(added.startsWith("exit 0\n"), added);

            final ClusterView fetched = RemoteCluster.fetch(List.of(URI.create(etcd.peerUrl())), null, TIMEOUT);
            final String listed = Etcdctl.run(etcd.clientUrl(), "member", "list", "-w", "json");
            assertTrue(listed.startsWith("exit 0\n"), listed);
            final JsonObject list = JsonParser.parseString(listed.substring("exit 0\n".length())).getAsJsonObject();
            assertEquals(unsigned(list.getAsJsonObject("header").get("cluster_id")), fetched.clusterId());
            assertEquals(members(list), fetched.members());
            assertEquals(Set.of(), fetched.removedIds(), "etcd sends no removed ids");
            assertEquals(2, fetched.members().size());
            assertTrue(fetched.members().stream().anyMatch(Member::learner), fetched.toString());

            awaitClusterVersion(etcd);
            final int etcdPeerPort = URI.create(etcd.peerUrl()).getPort();
            try (PeerHttpServer cairn = PeerHttpServer.start(URI.create("http://127.0.0.1:0"), null, false,
                () -> fetched)) {
                final int cairnPort = cairn.address().getPort();
                for (final String request : List.of("GET /members HTTP/1.1", "GET /version HTTP/1.1",
                    "GET /nowhere HTTP/1.1", "POST /members HTTP/1.1", "DELETE /version HTTP/1.1")) {
                    final RawHttp expected = RawHttp.exchange(etcdPeerPort, request);
                    final RawHttp actual = RawHttp.exchange(cairnPort, request);
                    assertEquals(expected.statusLine(), actual.statusLine(), request);
                    assertEquals(expected.body(), actual.body(), request);
                    for (final String header : List.of("Content-Type", "X-Etcd-Cluster-ID", "Allow",
                        "X-Content-Type-Options", "Content-Length")) {
                        assertEquals(expected.header(header), actual.header(header), request + ": " + header);
                    }
                }
            }
        }
    }

    /** etcdctl's members as Cairn's records, in id order (the order etcd's /members has). */
    private static List<Member> members(final JsonObject list) {
        final List<Member> members = new ArrayList<>();
        for (final JsonElement element : list.getAsJsonArray("members")) {
            final JsonObject member = element.getAsJsonObject();
            members.add(new Member(unsigned(member.get("ID")),
                member.has("name") ? member.get("name").getAsString() : "",
                strings(member, "peerURLs"), strings(member, "clientURLs"),
                member.has("isLearner") && member.get("isLearner").getAsBoolean()));
        }
        members.sort(Comparator.comparing(Member::id, Long::compareUnsigned));
        return members;
    }

    private static List<String> strings(final JsonObject member, final String field) {
        final List<String> values = new ArrayList<>();
        if (member.has(field)) {
            member.getAsJsonArray(field).forEach(value -> values.add(value.getAsString()));
        }
        return values;
    }

    /** etcdctl writes uint64 ids as decimal numbers; their literal text keeps every bit. */
    private static long unsigned(final JsonElement number) {
        return Long.parseUnsignedLong(number.getAsString());
    }

    /** etcd answers "not_decided" on /version until its leader has set the cluster version, shortly after start. */
    private static void awaitClusterVersion(final ServerProcess etcd) throws Exception {
        final long deadline = System.nanoTime() + Duration.ofMillis(CLUSTER_VERSION_WAIT_MILLIS).toNanos();
        final int port = URI.create(etcd.peerUrl()).getPort();
        while (RawHttp.exchange(port, "GET /version HTTP/1.1").body().contains("not_decided")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("etcd did not decide its cluster version: " + etcd.log());
            }
            Thread.sleep(50);
        }
    }
}
