package io.cairn.engine.cluster;

import io.cairn.engine.differential.EtcdctlLockElectDifferentialIT;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.SideBySide;
import io.cairn.engine.testing.ThreeMembers;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * etcdctl lock and elect sent to a follower of a three-member etcd and of a three-member Cairn:
 * the lockers' and candidates' writes are forwarded to the leader, their waits and the observer
 * follow the follower's own store, and everything prints the same.
 */
class ThreeMemberLockElectDifferentialIT {
    @RegisterExtension
    final ThreeMembers.Logs logs = new ThreeMembers.Logs();

    @Test
    void lockAndElectOnAFollowerPrintTheSameAgainstBoth() throws Exception {
        final ThreeMembers.Ports ports = ThreeMembers.Ports.free();
        SideBySide.assertSame(kind -> session(kind, ports), i -> "output " + i);
    }

    private List<String> session(final ServerProcess.Kind kind, final ThreeMembers.Ports ports) throws Exception {
        try (ThreeMembers cluster = ThreeMembers.start(kind, ports, logs)) {
            return EtcdctlLockElectDifferentialIT.scenarioOn(cluster.clientUrl(cluster.followerIndex()));
        }
    }
}
