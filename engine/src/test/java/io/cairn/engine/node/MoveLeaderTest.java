package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.testing.Await;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MoveLeader in one JVM: leadership goes where it is sent, and etcd's refusals. */
class MoveLeaderTest {
    @TempDir
    Path dir;

    @Test
    void leadershipMovesToTheMemberNamedAndOnlyTheLeaderMovesIt() throws Exception {
        final MemberOptions options = MemberOptions.defaults(1).withTicks(20, 10);
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, options).startAll()) {
            Await.until(() -> cluster.leader() >= 0, 30, "a leader");
            final int leader = cluster.leader();
            final int follower = (leader + 1) % 3;

            cluster.member(leader).moveLeader(cluster.id(follower)).get(10, TimeUnit.SECONDS);
            assertEquals(cluster.id(follower), cluster.member(leader).status().leaderId(),
                "the old leader answered once it saw the new one");
            Await.until(() -> cluster.leader() == follower, 10, "every member agrees on the new leader");

            assertEquals(EtcdError.NOT_LEADER, refusal(cluster.member(leader), cluster.id(leader)));
            assertEquals(EtcdError.BAD_LEADER_TRANSFEREE, refusal(cluster.member(follower), 0x1234));
            cluster.member(follower).moveLeader(cluster.id(follower)).get(10, TimeUnit.SECONDS); // to itself
            assertEquals(follower, cluster.leader());
        }
    }

    private static EtcdError refusal(final RaftKeyValueStore member, final long transferee) {
        final ExecutionException failed = assertThrows(ExecutionException.class,
            () -> member.moveLeader(transferee).get(10, TimeUnit.SECONDS));
        return assertInstanceOf(EtcdException.class, failed.getCause()).error();
    }
}
