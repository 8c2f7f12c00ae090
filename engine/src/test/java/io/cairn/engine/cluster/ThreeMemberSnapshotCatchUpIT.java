package io.cairn.engine.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.ThreeMembers;
import io.cairn.etcd.api.etcdserverpb.HashKVRequest;
import io.cairn.etcd.api.etcdserverpb.HashKVResponse;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.MaintenanceGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.PutResponse;
import io.grpc.stub.StreamObserver;
import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A follower that was down while 50,000 puts went through the other two (members snapshot every
 * 1,000 entries, so the leader no longer has the entries it missed) catches up once restarted: it
 * reaches the leader's revision, holds every put, and its KV hash at that revision equals the
 * other members'. Then 50,000 more through all three (100,000 in all), a restart of that member,
 * and again every member's KV hash agrees.
 */
class ThreeMemberSnapshotCatchUpIT {
    private static final int PUTS = 50_000;
    private static final int IN_FLIGHT_MAX = 256;
    private static final long CATCH_UP_SECONDS = 120;
    private static final String PREFIX = "s/";

    @RegisterExtension
    final ThreeMembers.Logs logs = new ThreeMembers.Logs();

    @ParameterizedTest
    @MethodSource("io.cairn.engine.testing.ThreeMembers#kinds")
    void aFollowerDownFor50000PutsCatchesUpBySnapshot(final ServerProcess.Kind kind) throws Exception {
        try (ThreeMembers cluster = ThreeMembers.start(kind, logs, "--snapshot-count", "1000")) {
            final int leader = cluster.leaderIndex();
            final int down = cluster.followerIndex();
            final int other = ThreeMembers.SIZE - leader - down;
            cluster.kill(down);

            final long started = System.nanoTime();
            final Map<String, Long> acknowledged = putAll(cluster, List.of(leader, other), 0);
            System.out.println(kind + ": " + PUTS + " puts in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms with " + ThreeMembers.name(down)
                + " down");

            final long restarted = System.nanoTime();
            cluster.restart(down);
            final long revision = MemberStores.awaitSameRevision(cluster, CATCH_UP_SECONDS);
            System.out.println(kind + ": " + ThreeMembers.name(down) + " reached revision " + revision + " in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted) + " ms after its restart");

            final Map<String, Long> stored = MemberStores.serializableRange(cluster, down, PREFIX, revision);
            assertEquals(acknowledged, stored, "the restarted member's keys and their revisions");
            assertSameHashes(cluster, revision);
            putAll(cluster, List.of(0, 1, 2), PUTS);
            cluster.kill(down);
            cluster.restart(down);
            final long after = MemberStores.awaitSameRevision(cluster, CATCH_UP_SECONDS);
            assertEquals(revision + PUTS, after, "100,000 puts in all");
            assertSameHashes(cluster, after);
            if (kind == ServerProcess.Kind.ETCD) {
                // Proves the scenario: the leader had compacted its log and sent a snapshot.
                final String log = Files.readString(cluster.logFile(down));
                assertTrue(log.contains("applied incoming snapshot"), "etcd caught up without a snapshot");
            }
        }
    }

    private static void assertSameHashes(final ThreeMembers cluster, final long revision) {
        final List<HashKVResponse> hashes = new ArrayList<>();
        for (int i = 0; i < ThreeMembers.SIZE; i++) {
            hashes.add(MaintenanceGrpc.newBlockingStub(cluster.channel(i)).withDeadlineAfter(30, TimeUnit.SECONDS)
                .hashKV(HashKVRequest.newBuilder().setRevision(revision).build()));
        }
        for (int i = 1; i < ThreeMembers.SIZE; i++) {
            assertEquals(hashes.getFirst().getHash(), hashes.get(i).getHash(), "HashKV of m1 and "
                + ThreeMembers.name(i) + " at revision " + revision + ": " + hashes);
            assertEquals(hashes.getFirst().getCompactRevision(), hashes.get(i).getCompactRevision(),
                "compact revision of m1 and " + ThreeMembers.name(i));
        }
    }

    /**
     * Puts PUTS unique keys (numbered from {@code first}) through the given members, IN_FLIGHT_MAX at
     * a time; returns key -> revision.
     */
    private static Map<String, Long> putAll(final ThreeMembers cluster, final List<Integer> through, final int first)
        throws InterruptedException {
        final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        final Semaphore inFlight = new Semaphore(IN_FLIGHT_MAX);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<KVGrpc.KVStub> stubs = through.stream().map(i -> KVGrpc.newStub(cluster.channel(i))).toList();
        for (int n = first; n < first + PUTS && failure.get() == null; n++) {
            inFlight.acquire();
            final String key = PREFIX + String.format("%06d", n);
            stubs.get(n % stubs.size()).withDeadlineAfter(30, TimeUnit.SECONDS).put(
                PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8("v" + n))
                    .build(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(final PutResponse response) {
                        acknowledged.put(key, response.getHeader().getRevision());
                    }

                    @Override
                    public void onError(final Throwable t) {
                        failure.compareAndSet(null, t);
                        inFlight.release();
                    }

                    @Override
                    public void onCompleted() {
                        inFlight.release();
                    }
                });
        }
        inFlight.acquire(IN_FLIGHT_MAX);
        if (failure.get() != null) {
            throw new AssertionError("a put failed", failure.get());
        }
        assertEquals(PUTS, acknowledged.size());
        return acknowledged;
    }
}
