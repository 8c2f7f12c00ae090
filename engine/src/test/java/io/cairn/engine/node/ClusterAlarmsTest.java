package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cairn.engine.cluster.Alarm;
import io.cairn.engine.testing.Await;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alarms are cluster state: one raised through any member is listed by every member, survives a
 * restart (it is in the tree), and one disarm clears it everywhere, as etcd's alarm store does.
 */
class ClusterAlarmsTest {
    @TempDir
    Path dir;

    @Test
    void anAlarmRaisedOnOneMemberIsEveryMembersUntilDisarmed() throws Exception {
        final MemberOptions options = MemberOptions.defaults(1).withTicks(20, 10);
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, options).startAll()) {
            Await.until(() -> cluster.leader() >= 0, 30, "a leader");
            final int follower = (cluster.leader() + 1) % 3;
            final long memberId = cluster.member(follower).status().memberId();
            final Alarm noSpace = new Alarm(memberId, Alarm.Kind.NOSPACE);
            assertEquals(Optional.of(noSpace), cluster.member(follower).changeAlarm(true, noSpace)
                .get(10, TimeUnit.SECONDS));
            for (int i = 0; i < 3; i++) {
                cluster.member(i).linearizableRead().get(10, TimeUnit.SECONDS);
                assertEquals(List.of(noSpace), cluster.member(i).alarms(), "member " + i);
            }

            cluster.stop(follower);
            cluster.start(follower);
            assertEquals(List.of(noSpace), cluster.member(follower).alarms(), "kept across a restart");

            final int other = (follower + 1) % 3;
            assertEquals(Optional.of(noSpace), cluster.member(other).changeAlarm(false, noSpace).get(10, TimeUnit.SECONDS));
            assertEquals(Optional.empty(), cluster.member(other).changeAlarm(false, noSpace).get(10, TimeUnit.SECONDS),
                "nothing left to disarm");
            for (int i = 0; i < 3; i++) {
                final int member = i;
                Await.until(() -> cluster.member(member).alarms().isEmpty(), 30, "member " + i + " disarmed");
            }
        }
    }
}
