package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.cluster.Member;
import io.cairn.engine.mvcc.KeyRange;
import io.cairn.engine.mvcc.RangeQuery;
import io.cairn.engine.mvcc.RangeResult;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.engine.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Membership changes on members in one JVM over Aeron: a cluster grows from one member to five and
 * shrinks to three (the leader removed on the way) while a writer keeps writing, and every write it
 * was told succeeded is on every final member; a replaced member (removed, wiped, added again)
 * catches up by snapshot; a learner replicates, is promoted, and votes; refused changes change
 * nothing.
 */
class MembershipChangeTest {
    private static final MemberOptions OPTIONS = MemberOptions.defaults(1).withTicks(20, 10).withSnapshotCount(300);

    @TempDir
    Path dir;

    @Test
    void aClusterGrowsFromOneToFiveAndShrinksToThreeUnderWritesWithoutLosingOne() throws Exception {
        try (GrowingCluster cluster = new GrowingCluster(dir, OPTIONS)) {
            cluster.startFirst("m1");
            awaitLeader(cluster);
            try (Writer writer = new Writer(cluster)) {
                for (final String name : List.of("m2", "m3", "m4", "m5")) {
                    cluster.add(name, false, awaitLeader(cluster));
                    writer.awaitMoreAcknowledged(50);
                }
                assertEquals(5, voters(awaitLeader(cluster)).size());
                final RaftKeyValueStore leader = awaitLeader(cluster);
                final String leaderName = nameOf(cluster, leader);
                final String follower = cluster.running().keySet().stream().filter(n -> !n.equals(leaderName))
                    .findFirst().orElseThrow();
                cluster.remove(follower, leader);
                cluster.stop(follower);
                writer.awaitMoreAcknowledged(50);
                // The leader removes itself: it hands leadership over and stops taking part.
                cluster.remove(leaderName, leader);
                leader.removal().get(10, TimeUnit.SECONDS);
                cluster.stop(leaderName);
                writer.awaitMoreAcknowledged(50);
            }
            assertEquals(3, cluster.running().size());
            assertEverythingAcknowledgedEverywhere(cluster, Writer.lastAcknowledged);
        }
    }

    @Test
    void aReplacedMemberCatchesUpBySnapshot() throws Exception {
        try (GrowingCluster cluster = new GrowingCluster(dir, OPTIONS)) {
            cluster.startFirst("m1");
            cluster.add("m2", false, awaitLeader(cluster));
            cluster.add("m3", false, awaitLeader(cluster));
            final long removedId = cluster.id("m3");
            cluster.remove("m3", awaitLeader(cluster));
            cluster.wipe("m3");
            write(awaitLeader(cluster), 1_500); // past several log compactions: the leader's log no longer starts at 1
            final RaftKeyValueStore replaced = cluster.add("m3", false, awaitLeader(cluster));
            assertTrue(cluster.id("m3") != removedId, "a removed id never comes back");
            final long revision = awaitLeader(cluster).currentRevision();
            Await.until(() -> replaced.currentRevision() >= revision, 60, "the replaced member catches up");
            assertTrue(replaced.metrics().peers().snapshotsReceived() >= 1, "it caught up by snapshot");
            assertEquals(awaitLeader(cluster).hashKv(revision), replaced.hashKv(revision));
            final ExecutionException readded = failure(awaitLeader(cluster).addMember(removedId,
                List.of("http://127.0.0.1:1"), false));
            assertEquals(EtcdError.MEMBER_NOT_FOUND, ((EtcdException)readded.getCause()).error());
        }
    }

    @Test
    void aLearnerReplicatesWithoutVotingAndIsPromoted() throws Exception {
        try (GrowingCluster cluster = new GrowingCluster(dir, OPTIONS)) {
            cluster.startFirst("m1");
            cluster.add("m2", false, awaitLeader(cluster));
            cluster.add("m3", false, awaitLeader(cluster));
            final RaftKeyValueStore learner = cluster.add("m4", true, awaitLeader(cluster));
            write(awaitLeader(cluster), 400);
            final long revision = awaitLeader(cluster).currentRevision();
            Await.until(() -> learner.currentRevision() >= revision, 30, "the learner replicates");
            assertTrue(learner.isLearner());
            assertTrue(learner.status().learner());
            assertEquals(3, voters(awaitLeader(cluster)).size(), "a learner is no voter");
            // A second learner is one too many (etcd 3.4 allows one).
            assertEquals(EtcdError.TOO_MANY_LEARNERS, error(awaitLeader(cluster).addMember(77,
                List.of("http://127.0.0.1:2"), true)));
            // A voter cannot be promoted; a learner can.
            assertEquals(EtcdError.MEMBER_NOT_LEARNER, error(awaitLeader(cluster).promoteMember(cluster.id("m2"))));
            final List<Member> after = awaitLeader(cluster).promoteMember(cluster.id("m4")).get(30, TimeUnit.SECONDS);
            assertTrue(after.stream().noneMatch(Member::learner));
            Await.until(() -> !learner.isLearner(), 10, "the promoted member knows it votes");
            assertEquals(4, voters(awaitLeader(cluster)).size());
            // With two of four voters down, no quorum; with one, the promoted member's vote counts.
            final String stopped = nameOf(cluster, awaitLeader(cluster)).equals("m1") ? "m2" : "m1";
            cluster.stop(stopped);
            write(awaitLeader(cluster), 10);
        }
    }

    @Test
    void aMemberMovedToAnotherPeerUrlIsReachedThere() throws Exception {
        try (GrowingCluster cluster = new GrowingCluster(dir, OPTIONS)) {
            cluster.startFirst("m1");
            cluster.add("m2", false, awaitLeader(cluster));
            cluster.add("m3", false, awaitLeader(cluster));
            final String moved = nameOf(cluster, awaitLeader(cluster)).equals("m3") ? "m2" : "m3";
            final List<Member> after = cluster.movePeerUrl(moved, awaitLeader(cluster));
            assertEquals(List.of(cluster.peerUrl(moved)), after.stream().filter(m -> m.id() == cluster.id(moved))
                .findFirst().orElseThrow().peerUrls());
            cluster.stop(moved);
            cluster.start(moved); // now listening at the new URL only
            // The other members' transports moved: with one of them stopped, the moved member is needed for a quorum.
            final String other = cluster.running().keySet().stream().filter(n -> !n.equals(moved)).findFirst()
                .orElseThrow();
            final String kept = cluster.running().keySet().stream().filter(n -> !n.equals(moved) && !n.equals(other))
                .findFirst().orElseThrow();
            cluster.stop(other);
            write(awaitLeader(cluster), 20);
            final long revision = cluster.member(kept).currentRevision();
            Await.until(() -> cluster.member(moved).currentRevision() >= revision, 30, "the moved member has the writes");
        }
    }

    @Test
    void aRestartedMemberDoesNotBringBackAFirstMemberThatWasRemoved() throws Exception {
        try (GrowingCluster cluster = new GrowingCluster(dir, OPTIONS)) {
            cluster.startFirst("m1");
            cluster.add("m2", false, awaitLeader(cluster));
            cluster.add("m3", false, awaitLeader(cluster));
            // m1's AddMember is entry 1 of every member's log; removed, it must stay out after a restart.
            cluster.remove("m1", cluster.member("m2"));
            cluster.stop("m1");
            write(awaitLeader(cluster), 10);
            cluster.stop("m2");
            cluster.start("m2");
            assertEquals(java.util.Set.of(cluster.id("m2"), cluster.id("m3")),
                java.util.Set.copyOf(cluster.member("m2").raftMembership().voters()));
            write(awaitLeader(cluster), 10);
        }
    }

    @Test
    void aJoiningMemberReplayingOldChangesKeepsTodaysLeaderAsAPeer() throws Exception {
        // The whole log stays (no release), and enough of it lies between m2's removal and m4's
        // addition that a joining member receives it in several APPENDs, applied one after another.
        try (GrowingCluster cluster = new GrowingCluster(dir, OPTIONS.withSnapshotCount(1_000_000))) {
            cluster.startFirst("m1");
            cluster.add("m2", false, awaitLeader(cluster));
            cluster.add("m3", false, awaitLeader(cluster));
            cluster.remove("m2", awaitLeader(cluster));
            cluster.stop("m2");
            writeLarge(awaitLeader(cluster), 3_000);
            cluster.add("m4", false, awaitLeader(cluster));
            // m4 leads; m5 replays the log from its start, where the members after m2's removal are
            // m1 and m3 only: it must not drop m4, its leader, from its transport on the way.
            final long caughtUp = awaitLeader(cluster).currentRevision();
            Await.until(() -> cluster.member("m4").currentRevision() >= caughtUp, 30, "m4 catches up");
            awaitLeader(cluster).moveLeader(cluster.id("m4")).get(30, TimeUnit.SECONDS);
            assertEquals(cluster.id("m4"), awaitLeader(cluster).status().memberId());
            final RaftKeyValueStore joined = cluster.add("m5", false, awaitLeader(cluster));
            write(awaitLeader(cluster), 10);
            final long revision = cluster.member("m4").currentRevision();
            Await.until(() -> joined.currentRevision() >= revision, 30, "the joined member has every write");
        }
    }

    @Test
    void refusedChangesChangeNothing() throws Exception {
        try (GrowingCluster cluster = new GrowingCluster(dir, OPTIONS)) {
            final RaftKeyValueStore first = cluster.startFirst("m1");
            awaitLeader(cluster);
            Await.until(() -> !first.members().getFirst().clientUrls().isEmpty(), 10, "the member publishes itself");
            final List<Member> before = first.members();
            final String url = before.getFirst().peerUrls().getFirst();
            assertEquals(EtcdError.PEER_URL_EXISTS, error(first.addMember(5, List.of(url), false)));
            assertEquals(EtcdError.MEMBER_NOT_FOUND, error(first.removeMember(12345)));
            assertEquals(EtcdError.MEMBER_NOT_FOUND, error(first.promoteMember(12345)));
            assertEquals(EtcdError.MEMBER_NOT_FOUND, error(first.updateMember(12345, List.of("http://127.0.0.1:3"))));
            assertEquals(EtcdError.MEMBER_EXISTS, error(first.addMember(first.status().memberId(),
                List.of("http://127.0.0.1:4"), false)));
            assertEquals(before, first.members());
            // An update moves the member's peer URL.
            final List<Member> updated = first.updateMember(first.status().memberId(), List.of("http://127.0.0.1:5"))
                .get(10, TimeUnit.SECONDS);
            assertEquals(List.of("http://127.0.0.1:5"), updated.getFirst().peerUrls());
            assertFalse(first.isLearner());
        }
    }

    private static RaftKeyValueStore awaitLeader(final GrowingCluster cluster) throws InterruptedException {
        Await.until(() -> cluster.leader() != null, 30, "a leader every member agrees on");
        return cluster.leader();
    }

    private static List<Member> voters(final RaftKeyValueStore member) {
        return member.members().stream().filter(m -> !m.learner()).toList();
    }

    private static String nameOf(final GrowingCluster cluster, final RaftKeyValueStore member) {
        return cluster.running().entrySet().stream().filter(e -> e.getValue() == member).findFirst().orElseThrow()
            .getKey();
    }

    private static void write(final RaftKeyValueStore member, final int count) throws Exception {
        for (int i = 0; i < count; i++) {
            member.put(put("w" + (i % 100), "v" + i)).get(30, TimeUnit.SECONDS);
        }
    }

    /** {@code count} puts of 1 KiB values, 64 at a time. */
    private static void writeLarge(final RaftKeyValueStore member, final int count) throws Exception {
        final String value = "v".repeat(1024);
        final List<CompletableFuture<?>> inFlight = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            inFlight.add(member.put(put("large" + (i % 500), value)));
            if (inFlight.size() == 64) {
                for (final CompletableFuture<?> put : inFlight) {
                    put.get(30, TimeUnit.SECONDS);
                }
                inFlight.clear();
            }
        }
        for (final CompletableFuture<?> put : inFlight) {
            put.get(30, TimeUnit.SECONDS);
        }
    }

    private static TxnOp.Put put(final String key, final String value) {
        return new TxnOp.Put(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), 0, false,
            false, false);
    }

    private static EtcdError error(final CompletableFuture<?> outcome) {
        return ((EtcdException) failure(outcome).getCause()).error();
    }

    private static ExecutionException failure(final CompletableFuture<?> outcome) {
        try {
            outcome.get(30, TimeUnit.SECONDS);
        } catch (final ExecutionException e) {
            assertInstanceOf(EtcdException.class, e.getCause());
            return e;
        } catch (final Exception e) {
            throw new AssertionError("expected a refusal, got " + e, e);
        }
        throw new AssertionError("expected a refusal, but the change was applied");
    }

    /** Every final member reaches the same revision, with the same HashKV, holding every acknowledged write. */
    private static void assertEverythingAcknowledgedEverywhere(final GrowingCluster cluster,
        final Map<String, String> acknowledged) throws InterruptedException {
        final RaftKeyValueStore leader = awaitLeader(cluster);
        final long revision = leader.currentRevision();
        for (final RaftKeyValueStore member : cluster.running().values()) {
            Await.until(() -> member.currentRevision() >= revision, 30, "every member reaches revision " + revision);
            assertEquals(leader.hashKv(revision), member.hashKv(revision));
            for (final Map.Entry<String, String> write : acknowledged.entrySet()) {
                final RangeResult got = member.range(RangeQuery.of(KeyRange.of(
                    write.getKey().getBytes(StandardCharsets.UTF_8), new byte[0])));
                assertEquals(1, got.kvs().size(), write.getKey() + " is on every member");
                assertEquals(write.getValue(), new String(got.kvs().getFirst().value(), StandardCharsets.UTF_8));
            }
        }
        assertTrue(acknowledged.size() > 200, "the writer was acknowledged " + acknowledged.size() + " writes");
    }

    /** Writes k0, k1, ... through whichever member leads, one at a time, remembering what was acknowledged. */
    private static final class Writer implements AutoCloseable {
        static final Map<String, String> lastAcknowledged = new ConcurrentHashMap<>();
        private final GrowingCluster cluster;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;
        private volatile int acknowledged;

        Writer(final GrowingCluster cluster) {
            this.cluster = cluster;
            lastAcknowledged.clear();
            this.thread = Thread.ofPlatform().name("writer").start(this::run);
        }

        private void run() {
            for (int n = 0; !stop.get(); n++) {
                final RaftKeyValueStore leader = cluster.leader();
                if (leader == null) {
                    Thread.onSpinWait();
                    continue;
                }
                final String key = "k" + n;
                try {
                    leader.put(put(key, "v" + n)).get(5, TimeUnit.SECONDS);
                    lastAcknowledged.put(key, "v" + n);
                    acknowledged++;
                } catch (final Exception refused) {
                    // not acknowledged: it may or may not be there, and either is right
                }
            }
        }

        void awaitMoreAcknowledged(final int more) throws InterruptedException {
            final int target = acknowledged + more;
            Await.until(() -> acknowledged >= target, 30, target + " writes acknowledged");
        }

        @Override
        public void close() {
            stop.set(true);
            try {
                thread.join();
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
