package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.cairn.engine.cluster.Member;
import io.cairn.engine.mvcc.KeyRange;
import io.cairn.engine.mvcc.KeyValue;
import io.cairn.engine.mvcc.OpResult;
import io.cairn.engine.mvcc.RangeQuery;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.engine.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three members in one JVM over Aeron: writes on any member, linearizable reads anywhere, a leader change. */
class ThreeMemberTest {
    @TempDir
    Path dir;

    @Test
    void writesOnAnyMemberAreReadOnEveryMemberAndSurviveALeaderChange() throws Exception {
        final MemberOptions options = MemberOptions.defaults(1).withTicks(20, 10);
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, options).startAll()) {
            Await.until(() -> cluster.leader() >= 0, 30, "a leader");
            final int leader = cluster.leader();
            final int follower = (leader + 1) % 3;
            final int other = (leader + 2) % 3;
            final long revision = put(cluster.member(follower), "a", "1").revision();
            for (int i = 0; i < 3; i++) {
                cluster.member(i).linearizableRead().get(10, TimeUnit.SECONDS);
                final List<KeyValue> kvs = get(cluster.member(i), "a");
                assertEquals(1, kvs.size(), "member " + i);
                assertEquals(revision, kvs.getFirst().modRevision());
            }
            final OpResult.Txn readOnly = cluster.member(other).readOnlyTxn(new TxnOp.Txn(List.of(), List.of(
                new TxnOp.Range(RangeQuery.of(KeyRange.of("a".getBytes(StandardCharsets.UTF_8), new byte[0])))),
                List.of()));
            assertEquals(revision, readOnly.revision(), "a read-only Txn sees the current revision, writes none");
            final List<Member> members = cluster.member(other).members();
            assertEquals(List.of("m1", "m2", "m3"), members.stream().map(Member::name).sorted().toList());
            Await.until(() -> cluster.member(other).members().stream()
                .allMatch(m -> !m.clientUrls().isEmpty()), 30, "every member published its client URLs");
            final long leaderId = cluster.member(leader).status().memberId();
            cluster.stop(leader);
            Await.until(() -> cluster.leader() >= 0, 30, "a new leader");
            assertNotEquals(leaderId, cluster.member(cluster.leader()).status().memberId());
            final long after = put(cluster.member(follower), "b", "2").revision();
            assertEquals(revision + 1, after);
            cluster.start(leader);
            Await.until(() -> {
                if (cluster.member(leader).raftAppliedIndex() < cluster.member(follower).raftAppliedIndex()) {
                    return false;
                }
                return get(cluster.member(leader), "b").size() == 1;
            }, 30, "the old leader catches up");
            assertArrayEquals("2".getBytes(StandardCharsets.UTF_8), get(cluster.member(leader), "b").getFirst().value());
        }
    }

    private static OpResult.Put put(final RaftKeyValueStore member, final String key, final String value)
        throws Exception {
        return member.put(new TxnOp.Put(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), 0,
            false, false, false)).get(20, TimeUnit.SECONDS);
    }

    private static List<KeyValue> get(final RaftKeyValueStore member, final String key) {
        return member.range(RangeQuery.of(KeyRange.of(key.getBytes(StandardCharsets.UTF_8), new byte[0]))).kvs();
    }
}
