package io.cairn.engine.cluster;

import io.cairn.engine.testing.Etcdctl;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.SideBySide;
import io.cairn.engine.testing.ThreeMembers;
import io.cairn.etcd.api.etcdserverpb.MaintenanceGrpc;
import io.cairn.etcd.api.etcdserverpb.MoveLeaderRequest;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code etcdctl move-leader} against a three-member etcd and a three-member Cairn: the same output,
 * leadership where it was sent, and the same errors for a follower asked to move it and for a
 * transferee that is no member. Which member leads first differs from run to run, so member ids
 * are printed as their roles: the leader, the target.
 */
class MoveLeaderDifferentialIT {
    @RegisterExtension
    final ThreeMembers.Logs logs = new ThreeMembers.Logs();

    @Test
    void moveLeaderPrintsAndDoesTheSameAgainstBoth() throws Exception {
        final ThreeMembers.Ports ports = ThreeMembers.Ports.free();
        SideBySide.assertSame(kind -> session(kind, ports), i -> "output " + i);
    }

    private List<String> session(final ServerProcess.Kind kind, final ThreeMembers.Ports ports) throws Exception {
        try (ThreeMembers cluster = ThreeMembers.start(kind, ports, logs)) {
            final List<String> outputs = new ArrayList<>();
            final int leader = cluster.leaderIndex();
            final int follower = cluster.followerIndex();
            final String followerId = Long.toHexString(memberId(cluster, follower));

            outputs.add(Etcdctl.run(cluster.endpoints(), "move-leader", followerId)
                .replace(Long.toHexString(memberId(cluster, leader)), "<leader>").replace(followerId, "<target>"));
            outputs.add("the target leads now: " + (cluster.leaderIndex() == follower));

            // The leader asked to move leadership to itself.
            final int newLeader = cluster.leaderIndex();
            final String newLeaderId = Long.toHexString(memberId(cluster, newLeader));
            outputs.add(Etcdctl.run(cluster.endpoints(), "move-leader", newLeaderId).replace(newLeaderId, "<leader>"));

            // Straight to a follower (etcdctl finds the leader itself), and to no member.
            final int nowFollower = cluster.followerIndex();
            outputs.add("follower: " + moveLeader(cluster, nowFollower, memberId(cluster, newLeader)));
            outputs.add("no member: " + moveLeader(cluster, cluster.leaderIndex(), 0x1234));
            return outputs;
        }
    }

    private static long memberId(final ThreeMembers cluster, final int i) {
        return cluster.status(i).getHeader().getMemberId();
    }

    private static String moveLeader(final ThreeMembers cluster, final int member, final long target) {
        try {
            MaintenanceGrpc.newBlockingStub(cluster.channel(member)).withDeadlineAfter(10, TimeUnit.SECONDS)
                .moveLeader(MoveLeaderRequest.newBuilder().setTargetID(target).build());
            return "moved";
        } catch (final StatusRuntimeException e) {
            return e.getStatus().getCode() + ": " + e.getStatus().getDescription();
        }
    }
}
