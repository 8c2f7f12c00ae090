package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.mvcc.OpResult;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.engine.testing.Await;
import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower forwards its clients' writes to the leader in a PROPOSE, which Raft never sends again.
 * When the transport refuses that send (the leader's publication back-pressured or not connected),
 * the writes never left the member: they fail at once with "raft proposal dropped" instead of each
 * waiting out the request time-out for "request timed out", and nothing of them is applied anywhere.
 */
class RefusedProposalTest {
    private static final Predicate<Message> NOTHING = m -> false;
    private static final Predicate<Message> PROPOSALS = m -> m.type() == MessageType.PROPOSE;

    @TempDir
    Path dir;

    @Test
    void writesInAProposalTheTransportRefusedFailAtOnceAndLeaveNoTrace() throws Exception {
        final List<AtomicReference<Predicate<Message>>> refused = new ArrayList<>();
        final InJvmCluster cluster = new InJvmCluster(dir, 3, MemberOptions.defaults(1));
        for (int i = 0; i < 3; i++) {
            refused.add(new AtomicReference<>(NOTHING));
            cluster.refusingSends(i, refused.get(i));
        }
        try (cluster) {
            cluster.startAll();
            Await.until(() -> cluster.leader() >= 0, 30, "a leader");
            final int leaderIndex = cluster.leader();
            final RaftKeyValueStore leader = cluster.member(leaderIndex);
            // Publishing each member's client URLs goes through the log too: done before the count starts.
            Await.until(() -> leader.members().stream().allMatch(m -> !m.clientUrls().isEmpty()), 30,
                "every member published its client URLs");
            final int followerIndex = (leaderIndex + 1) % 3;
            final RaftKeyValueStore follower = cluster.member(followerIndex);
            final long before = put(follower, "before").get(20, TimeUnit.SECONDS).revision();

            refused.get(followerIndex).set(PROPOSALS);
            final List<CompletableFuture<OpResult.Put>> writes = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                writes.add(put(follower, "refused-" + i));
            }
            for (final CompletableFuture<OpResult.Put> write : writes) {
                final ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> write.get(30, TimeUnit.SECONDS));
                assertEquals(EtcdError.PROPOSAL_DROPPED, assertInstanceOf(EtcdException.class, failed.getCause()).error(),
                    "a write whose proposal the transport refused");
            }

            refused.get(followerIndex).set(NOTHING);
            final long after = put(follower, "after").get(20, TimeUnit.SECONDS).revision();
            assertEquals(before + 1, after, "the refused writes took no revision");
            Await.until(() -> {
                for (int i = 0; i < 3; i++) {
                    if (cluster.member(i).currentRevision() != after) {
                        return false;
                    }
                }
                return true;
            }, 30, "every member at the revision of the write after the refused ones");
        }
    }

    private static CompletableFuture<OpResult.Put> put(final RaftKeyValueStore member, final String key) {
        return member.put(new TxnOp.Put(key.getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8), 0,
            false, false, false));
    }
}
