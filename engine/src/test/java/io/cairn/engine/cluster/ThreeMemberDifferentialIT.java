package io.cairn.engine.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.testing.Etcdctl;
import io.cairn.engine.testing.EtcdctlKvSession;
import io.cairn.engine.testing.EtcdctlSession;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.SideBySide;
import io.cairn.engine.testing.ThreeMembers;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A three-member Debian etcd and a three-member Cairn, started with the same flags on the same
 * ports (so with the same member and cluster ids), answer etcdctl the same: endpoint health and
 * status of each member, member list, a put on one member read and watched on the others, and the
 * single-member differential session sent to a follower. What depends on timing (durations, which
 * member leads, raft terms and indexes, sizes, the version string) is masked; what must hold of any
 * cluster (one leader, one term, no learners) is printed instead, so it is compared too.
 */
class ThreeMemberDifferentialIT {
    private static final String HEALTHY = " is healthy: successfully committed proposal: took = ";
    /** endpoint status -w table columns whose values are the server's own (or the moment's). */
    private static final List<String> MASKED_STATUS_COLUMNS =
        List.of("ID", "VERSION", "DB SIZE", "IS LEADER", "RAFT TERM", "RAFT INDEX", "RAFT APPLIED INDEX");

    @RegisterExtension
    final ThreeMembers.Logs logs = new ThreeMembers.Logs();

    private final List<String> labels = new ArrayList<>();

    @Test
    void aClusterAnswersEtcdctlTheSameAgainstBoth() throws Exception {
        final ThreeMembers.Ports ports = ThreeMembers.Ports.free();
        final List<String> etcd = SideBySide.assertSame(kind -> session(kind, ports), labels::get);
        EtcdctlKvSession.assertMostSucceeded(etcd);
    }

    private List<String> session(final ServerProcess.Kind kind, final ThreeMembers.Ports ports) throws Exception {
        labels.clear();
        final List<String> out = new ArrayList<>();
        try (ThreeMembers cluster = ThreeMembers.start(kind, ports, logs)) {
            for (int i = 0; i < ThreeMembers.SIZE; i++) {
                final String health = Etcdctl.run(cluster.clientUrl(i), "endpoint", "health");
                assertTrue(health.contains(cluster.clientUrl(i) + HEALTHY), health);
                add(out, "endpoint health on " + ThreeMembers.name(i), health.replaceAll("took = \\S+", "took = {d}"));
            }
            add(out, "endpoint status -w table",
                statusTable(Etcdctl.run(cluster.endpoints(), "endpoint", "status", "-w", "table")));
            final String members = Etcdctl.run(cluster.clientUrl(1), "member", "list", "-w", "table");
            assertMemberListShape(members, cluster);
            add(out, "member list -w table", members);

            final int follower = cluster.followerIndex();
            final List<String> kv = EtcdctlKvSession.run(cluster.clientUrl(follower));
            for (int i = 0; i < kv.size(); i++) {
                add(out, EtcdctlKvSession.label(i) + " (on a follower)", followerMasked(kv.get(i)));
            }

            add(out, "put on m1", Etcdctl.run(cluster.clientUrl(0), "put", "across", "members"));
            for (int i = 1; i < ThreeMembers.SIZE; i++) {
                add(out, "get on " + ThreeMembers.name(i), Etcdctl.run(cluster.clientUrl(i), "get", "across"));
                add(out, "get -w json on " + ThreeMembers.name(i),
                    termMasked(Etcdctl.run(cluster.clientUrl(i), "get", "across", "-w", "json")));
            }
            add(out, "watch on m3, put on m1", watchOnThirdPutOnFirst(cluster));
        }
        return out;
    }

    private void add(final List<String> out, final String label, final String output) {
        labels.add(label);
        out.add(output);
    }

    /**
     * A watch opened on m3 prints a put made on m1. It starts from the next revision, so that the
     * output does not depend on whether the watch was registered before the put arrived (it is
     * given a second to be).
     */
    private static String watchOnThirdPutOnFirst(final ThreeMembers cluster) throws Exception {
        final long next = KVGrpc.newBlockingStub(cluster.channel(0)).withDeadlineAfter(5, TimeUnit.SECONDS)
            .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("watched")).build())
            .getHeader().getRevision() + 1;
        try (EtcdctlSession watch = EtcdctlSession.start(cluster.clientUrl(2), "watch", "watched",
            "--rev", Long.toString(next))) {
            TimeUnit.SECONDS.sleep(1);
            final String put = Etcdctl.run(cluster.clientUrl(0), "put", "watched", "seen-on-m3");
            watch.await(output -> output.contains("seen-on-m3\n"));
            return put + "watch:\n" + watch.kill();
        }
    }

    /**
     * The status table, one line per row with cells trimmed (column widths follow the masked
     * values), then what must hold of any healthy cluster: exactly one leader, one term, and that
     * every member answered.
     */
    private static String statusTable(final String output) {
        final List<List<String>> rows = output.lines().filter(line -> line.startsWith("|"))
            .map(line -> Arrays.stream(line.substring(1, line.length() - 1).split("\\|")).map(String::trim).toList())
            .toList();
        assertEquals(1 + ThreeMembers.SIZE, rows.size(), output);
        final List<String> header = rows.getFirst();
        final StringBuilder masked = new StringBuilder(output.lines().findFirst().orElseThrow()).append('\n');
        masked.append(String.join(" | ", header)).append('\n');
        long leaders = 0;
        final List<String> terms = new ArrayList<>();
        for (final List<String> row : rows.subList(1, rows.size())) {
            final List<String> cells = new ArrayList<>(row);
            for (int c = 0; c < header.size(); c++) {
                if (MASKED_STATUS_COLUMNS.contains(header.get(c))) {
                    cells.set(c, "{" + header.get(c).toLowerCase(java.util.Locale.ROOT) + "}");
                }
            }
            masked.append(String.join(" | ", cells)).append('\n');
            leaders += row.get(header.indexOf("IS LEADER")).equals("true") ? 1 : 0;
            terms.add(row.get(header.indexOf("RAFT TERM")));
        }
        masked.append("leaders: ").append(leaders)
            .append(", one term: ").append(terms.stream().distinct().count() == 1).append('\n');
        return masked.toString();
    }

    /** Three started members named m1..m3, with the URLs their flags gave them. */
    private static void assertMemberListShape(final String output, final ThreeMembers cluster) {
        final List<String> rows = output.lines().filter(line -> line.startsWith("|")).skip(1).toList();
        assertEquals(ThreeMembers.SIZE, rows.size(), output);
        for (int i = 0; i < ThreeMembers.SIZE; i++) {
            final String row = "| " + ThreeMembers.name(i) + " | " + cluster.peerUrl(i) + " | " + cluster.clientUrl(i)
                + " | false |";
            assertTrue(rows.stream().anyMatch(line -> line.replaceAll(" +", " ").contains(" started " + row)),
                "no row " + row + " in\n" + output);
        }
    }

    /** Which follower answered, and the term, depend on the election. */
    private static String followerMasked(final String output) {
        return termMasked(output).replaceAll("\"member_id\":\\d+", "\"member_id\":{member}")
            .replaceAll("\"MemberID\" : \\d+", "\"MemberID\" : {member}");
    }

    private static String termMasked(final String output) {
        return output.replaceAll("\"raft_term\":\\d+", "\"raft_term\":{term}")
            .replaceAll("\"RaftTerm\" : \\d+", "\"RaftTerm\" : {term}");
    }
}
