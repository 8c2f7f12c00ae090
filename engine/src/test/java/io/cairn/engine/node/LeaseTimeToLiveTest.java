package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.cairn.engine.lease.GrantedLease;
import io.cairn.engine.lease.Lessor;
import io.cairn.engine.testing.Await;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TimeToLive on a follower answers as the leader would (etcd forwards it there): a lease just
 * granted, or just revoked, through the leader is seen at once on a follower whose log lags. The
 * chaos harness found the stale answer (a lease granted elsewhere read as gone); this is its
 * regression test at the lowest level that shows it.
 */
class LeaseTimeToLiveTest {
    private static final long LAG_NANOS = TimeUnit.MILLISECONDS.toNanos(300);

    @TempDir
    Path dir;

    @Test
    void aLaggingFollowerSeesALeaseJustGrantedAndJustRevokedThroughTheLeader() throws Exception {
        final MemberOptions options = MemberOptions.defaults(1).withTicks(20, 10);
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, options).startAll()) {
            Await.until(() -> cluster.leader() >= 0, 30, "a leader");
            final int leader = cluster.leader();
            final int follower = (leader + 1) % 3;
            cluster.faults(follower).delay(LAG_NANOS); // everything the follower receives comes late
            final GrantedLease lease = cluster.member(leader).leaseGrant(0, 60).get(10, TimeUnit.SECONDS);
            final Lessor.TimeToLive granted = cluster.member(follower).leaseTimeToLive(lease.id())
                .get(10, TimeUnit.SECONDS);
            assertNotNull(granted, "the follower did not see the lease the leader had just granted");
            assertEquals(60, granted.grantedSeconds());

            cluster.member(leader).leaseRevoke(lease.id()).get(10, TimeUnit.SECONDS);
            assertNull(cluster.member(follower).leaseTimeToLive(lease.id()).get(10, TimeUnit.SECONDS),
                "the follower still saw the lease the leader had just revoked");
        }
    }
}
