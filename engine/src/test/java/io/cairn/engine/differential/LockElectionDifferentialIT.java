package io.cairn.engine.differential;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.TextFormat;
import io.cairn.engine.testing.Await;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.SideBySide;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseGrantRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.v3electionpb.CampaignRequest;
import io.cairn.etcd.api.v3electionpb.CampaignResponse;
import io.cairn.etcd.api.v3electionpb.ElectionGrpc;
import io.cairn.etcd.api.v3electionpb.LeaderRequest;
import io.cairn.etcd.api.v3electionpb.LeaderResponse;
import io.cairn.etcd.api.v3electionpb.ProclaimRequest;
import io.cairn.etcd.api.v3electionpb.ResignRequest;
import io.cairn.etcd.api.v3lockpb.LockGrpc;
import io.cairn.etcd.api.v3lockpb.LockRequest;
import io.cairn.etcd.api.v3lockpb.LockResponse;
import io.cairn.etcd.api.v3lockpb.UnlockRequest;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The v3lock and v3election gRPC services, driven through the same scenario against Debian etcd
 * and against Cairn: identical responses (headers, keys, revisions, values, errors) once each
 * server's lease ids are named by their order of appearance. Includes waiting lockers and
 * candidates, which must be answered only once their predecessor goes.
 */
class LockElectionDifferentialIT {
    private static final long AWAIT_SECONDS = 20;

    /** One server's scenario transcript. */
    private static final class Transcript {
        final List<String> lines = new ArrayList<>();
        final Map<Long, String> leaseNames = new LinkedHashMap<>();

        long lease(final long id) {
            leaseNames.putIfAbsent(id, "{lease" + (leaseNames.size() + 1) + "}");
            return id;
        }

        void record(final String what, final MessageOrBuilder response) {
            add(what + ": " + TextFormat.printer().shortDebugString(response));
        }

        void record(final String what, final StatusRuntimeException failure) {
            add(what + ": " + failure.getStatus().getCode() + " " + failure.getStatus().getDescription());
        }

        private void add(final String line) {
            String result = line.replaceAll("cluster_id: \\d+ member_id: \\d+ ", "");
            for (final Map.Entry<Long, String> lease : leaseNames.entrySet()) {
                result = result.replace(Long.toHexString(lease.getKey()), lease.getValue())
                    .replace(Long.toString(lease.getKey()), lease.getValue());
            }
            lines.add(result);
        }
    }

    @Test
    void lockAndElectionAnswerTheSameAsEtcd() throws Exception {
        SideBySide.assertSame(LockElectionDifferentialIT::scenario, i -> "response " + i);
    }

    private static List<String> scenario(final ServerProcess.Kind kind, final int clientPort, final int peerPort)
        throws Exception {
        final Transcript t = new Transcript();
        try (ServerProcess server = ServerProcess.start(kind, clientPort, peerPort)) {
            final LeaseGrpc.LeaseBlockingStub leases = LeaseGrpc.newBlockingStub(server.channel());
            final long first = t.lease(leases.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build()).getID());
            final long second = t.lease(leases.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build()).getID());
            final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(server.channel());
            final LockGrpc.LockBlockingStub lock = LockGrpc.newBlockingStub(server.channel());
            final LockGrpc.LockFutureStub lockAsync = LockGrpc.newFutureStub(server.channel());

            final LockResponse held = lock.lock(LockRequest.newBuilder().setName(bytes("mylock")).setLease(first).build());
            t.record("lock by first", held);
            t.record("lock again by first (re-entrant key)",
                lock.lock(LockRequest.newBuilder().setName(bytes("mylock")).setLease(first).build()));
            final Future<LockResponse> waiting =
                lockAsync.lock(LockRequest.newBuilder().setName(bytes("mylock")).setLease(second).build());
            awaitKeys(kv, "mylock/", 2);
            t.record("unrelated put", kv.put(PutRequest.newBuilder().setKey(bytes("x")).setValue(bytes("1")).build()));
            assertFalse(waiting.isDone(), kind + ": the second locker was answered while the first held the lock");
            t.record("unlock by first", lock.unlock(UnlockRequest.newBuilder().setKey(held.getKey()).build()));
            final LockResponse taken = waiting.get(AWAIT_SECONDS, TimeUnit.SECONDS);
            t.record("lock by second, after the first unlocked", taken);
            t.record("unlock by second", lock.unlock(UnlockRequest.newBuilder().setKey(taken.getKey()).build()));
            try {
                lock.lock(LockRequest.newBuilder().setName(bytes("other")).setLease(12345).build());
                t.lines.add("lock with an unknown lease: answered");
            } catch (final StatusRuntimeException e) {
                t.record("lock with an unknown lease", e);
            }

            final ElectionGrpc.ElectionBlockingStub election = ElectionGrpc.newBlockingStub(server.channel());
            final ElectionGrpc.ElectionFutureStub electionAsync = ElectionGrpc.newFutureStub(server.channel());
            final BlockingQueue<LeaderResponse> observed = new LinkedBlockingQueue<>();
            ElectionGrpc.newStub(server.channel()).observe(LeaderRequest.newBuilder().setName(bytes("e")).build(),
                collect(observed));
            try {
                election.leader(LeaderRequest.newBuilder().setName(bytes("e")).build());
                t.lines.add("leader before any campaign: answered");
            } catch (final StatusRuntimeException e) {
                t.record("leader before any campaign", e);
            }
            final CampaignResponse won = election.campaign(CampaignRequest.newBuilder().setName(bytes("e"))
                .setLease(first).setValue(bytes("v1")).build());
            t.record("campaign by first", won);
            t.record("observed", next(observed));
            t.record("leader", election.leader(LeaderRequest.newBuilder().setName(bytes("e")).build()));
            t.record("proclaim v2", election.proclaim(ProclaimRequest.newBuilder().setLeader(won.getLeader())
                .setValue(bytes("v2")).build()));
            t.record("observed", next(observed));
            t.record("leader after proclaim", election.leader(LeaderRequest.newBuilder().setName(bytes("e")).build()));
            final Future<CampaignResponse> candidate = electionAsync.campaign(CampaignRequest.newBuilder()
                .setName(bytes("e")).setLease(second).setValue(bytes("w")).build());
            awaitKeys(kv, "e/", 2);
            t.record("unrelated put", kv.put(PutRequest.newBuilder().setKey(bytes("x")).setValue(bytes("2")).build()));
            assertFalse(candidate.isDone(), kind + ": the second candidate won while the first led");
            t.record("resign by first", election.resign(ResignRequest.newBuilder().setLeader(won.getLeader()).build()));
            t.record("campaign by second, after the first resigned", candidate.get(AWAIT_SECONDS, TimeUnit.SECONDS));
            t.record("observed", next(observed));
            t.record("leader after resign", election.leader(LeaderRequest.newBuilder().setName(bytes("e")).build()));
            try {
                election.proclaim(ProclaimRequest.newBuilder().setLeader(won.getLeader()).setValue(bytes("z")).build());
                t.lines.add("proclaim by the resigned leader: answered");
            } catch (final StatusRuntimeException e) {
                t.record("proclaim by the resigned leader", e);
            }
            try {
                election.proclaim(ProclaimRequest.newBuilder().setValue(bytes("z")).build());
                t.lines.add("proclaim without a leader key: answered");
            } catch (final StatusRuntimeException e) {
                t.record("proclaim without a leader key", e);
            }
            t.record("resign by the resigned leader", election.resign(ResignRequest.newBuilder()
                .setLeader(won.getLeader()).build()));
        }
        assertTrue(t.lines.size() > 20, t.lines.toString());
        return t.lines;
    }

    /** Waits until the waiting call's key is written, so what follows happens after it on both servers. */
    private static void awaitKeys(final KVGrpc.KVBlockingStub kv, final String prefix, final long count)
        throws InterruptedException {
        final byte[] end = prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        end[end.length - 1]++;
        Await.until(() -> kv.range(RangeRequest.newBuilder().setKey(bytes(prefix)).setRangeEnd(ByteString.copyFrom(end))
            .setCountOnly(true).build()).getCount() >= count, AWAIT_SECONDS, count + " keys under " + prefix);
    }

    private static LeaderResponse next(final BlockingQueue<LeaderResponse> observed) throws InterruptedException {
        final LeaderResponse response = observed.poll(AWAIT_SECONDS, TimeUnit.SECONDS);
        assertTrue(response != null, "no leader observed within " + AWAIT_SECONDS + " s");
        return response;
    }

    private static StreamObserver<LeaderResponse> collect(final BlockingQueue<LeaderResponse> into) {
        return new StreamObserver<>() {
            @Override
            public void onNext(final LeaderResponse response) {
                into.add(response);
            }

            @Override
            public void onError(final Throwable failure) {
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    private static ByteString bytes(final String text) {
        return ByteString.copyFromUtf8(text);
    }

}
