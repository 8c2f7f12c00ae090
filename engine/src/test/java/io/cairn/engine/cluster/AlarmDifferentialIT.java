package io.cairn.engine.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.testing.Etcdctl;
import io.cairn.engine.testing.QuotaFill;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.SideBySide;
import io.cairn.engine.testing.ThreeMembers;
import io.cairn.etcd.api.etcdserverpb.AlarmRequest;
import io.cairn.etcd.api.etcdserverpb.AlarmType;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.MaintenanceGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Alarms as cluster state, against a three-member etcd: the cluster is filled through one member
 * until --quota-backend-bytes refuses a write; from then on every member lists NOSPACE and refuses
 * writes, and a disarm sent to another member clears the list on all of them. Where each file
 * fills up differs between bbolt and Cairn's tree, so only what follows the first refusal is
 * compared. Whose NOSPACE is listed is not: etcd also raises it when a member's own apply goes
 * over its quota, so in etcd any member, or several, may be the one (runs differ).
 */
class AlarmDifferentialIT {
    private static final long QUOTA_BYTES = 2L * 1024 * 1024;
    private static final int VALUE_BYTES = 8 * 1024;
    private static final int PUTS_MAX = 5_000;

    @RegisterExtension
    final ThreeMembers.Logs logs = new ThreeMembers.Logs();

    @Test
    void anAlarmRaisedByOneMemberIsTheClustersAsInEtcd() throws Exception {
        final ThreeMembers.Ports ports = ThreeMembers.Ports.free();
        SideBySide.assertSame(kind -> session(kind, ports), i -> "output " + i);
    }

    /**
     * A CORRUPT alarm (raised here through the API, as a corruption check raises it: member 0) stops
     * every write, compaction, lease grant and revoke on every member with "corrupt cluster", while
     * reads go on; a disarm lets writes through again.
     */
    @Test
    void aCorruptAlarmRefusesWritesEverywhereAsInEtcd() throws Exception {
        final ThreeMembers.Ports ports = ThreeMembers.Ports.free();
        SideBySide.assertSame(kind -> corruptSession(kind, ports), i -> "output " + i).forEach(System.out::println);
    }

    private List<String> corruptSession(final ServerProcess.Kind kind, final ThreeMembers.Ports ports) throws Exception {
        try (ThreeMembers cluster = ThreeMembers.start(kind, ports, logs)) {
            final List<String> outputs = new ArrayList<>();
            outputs.add(Etcdctl.run(cluster.clientUrl(0), "put", "k", "before"));
            final String granted = Etcdctl.run(cluster.clientUrl(0), "lease", "grant", "600");
            final String lease = granted.substring(granted.indexOf("lease ") + 6).split(" ")[0];
            MaintenanceGrpc.newBlockingStub(cluster.channel(0)).withDeadlineAfter(10, TimeUnit.SECONDS)
                .alarm(AlarmRequest.newBuilder().setAction(AlarmRequest.AlarmAction.ACTIVATE).setMemberID(0)
                    .setAlarm(AlarmType.CORRUPT).build());
            for (int i = 0; i < ThreeMembers.SIZE; i++) {
                final String url = cluster.clientUrl(i);
                outputs.add(ThreeMembers.name(i) + " alarm list: " + Etcdctl.run(url, "alarm", "list"));
                outputs.add(ThreeMembers.name(i) + " put: " + Etcdctl.run(url, "put", "k", "during"));
                outputs.add(ThreeMembers.name(i) + " get: " + Etcdctl.run(url, "get", "k"));
                outputs.add(ThreeMembers.name(i) + " get --consistency=s: " + Etcdctl.run(url, "get", "k",
                    "--consistency=s"));
            }
            final String url = cluster.clientUrl(1);
            outputs.add("del: " + Etcdctl.run(url, "del", "k"));
            outputs.add("txn: " + Etcdctl.run(url, "\n\nput k txn\n\n", List.of("txn")));
            outputs.add("compaction: " + Etcdctl.run(url, "compaction", "1"));
            outputs.add("lease grant: " + Etcdctl.run(url, "lease", "grant", "60"));
            outputs.add("lease revoke: " + Etcdctl.run(url, "lease", "revoke", lease));
            outputs.add("lease list: " + Etcdctl.run(url, "lease", "list").replace(lease, "<lease>"));
            outputs.add("disarm: " + Etcdctl.run(url, "alarm", "disarm"));
            outputs.add("put after disarm: " + Etcdctl.run(url, "put", "k", "after"));
            outputs.add("get after disarm: " + Etcdctl.run(url, "get", "k"));
            return outputs;
        }
    }

    private List<String> session(final ServerProcess.Kind kind, final ThreeMembers.Ports ports) throws Exception {
        try (ThreeMembers cluster = ThreeMembers.start(kind, ports, logs,
            "--quota-backend-bytes", Long.toString(QUOTA_BYTES))) {
            final List<String> outputs = new ArrayList<>();
            final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(cluster.channel(0))
                .withDeadlineAfter(120, TimeUnit.SECONDS);
            final QuotaFill.Outcome fill = QuotaFill.untilRefused(kv, VALUE_BYTES, PUTS_MAX);
            assertTrue(fill.puts() > 10, kind + " refused after only " + fill.puts() + " puts");
            outputs.add(fill.refusal());
            for (int i = 0; i < ThreeMembers.SIZE; i++) {
                final String list = Etcdctl.run(cluster.clientUrl(i), "alarm", "list");
                outputs.add(ThreeMembers.name(i) + " lists NOSPACE: " + list.contains(" alarm:NOSPACE"));
            }
            for (int i = 0; i < ThreeMembers.SIZE; i++) {
                outputs.add(ThreeMembers.name(i) + ": " + Etcdctl.run(cluster.clientUrl(i), "put", "small", "v"));
            }
            outputs.add("disarm: " + Etcdctl.run(cluster.clientUrl(1), "alarm", "disarm").lines().findFirst().orElse(""));
            for (int i = 0; i < ThreeMembers.SIZE; i++) {
                outputs.add(ThreeMembers.name(i) + " after disarm: " + Etcdctl.run(cluster.clientUrl(i), "alarm", "list"));
            }
            return outputs;
        }
    }
}
