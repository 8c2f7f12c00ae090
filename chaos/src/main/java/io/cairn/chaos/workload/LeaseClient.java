package io.cairn.chaos.workload;

import io.cairn.chaos.check.Consistency;
import io.cairn.chaos.check.KvWrite;
import io.cairn.chaos.check.LeaseEnd;
import io.cairn.chaos.check.LeaseFacts;
import io.cairn.chaos.check.LeasedKey;
import io.cairn.chaos.check.Mutation;
import io.cairn.chaos.check.Span;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseGrantRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseRevokeRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.PutResponse;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.RangeResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One client on one member that cycles leases: grant (a short TTL), put a key of its own under
 * the workload's prefix with the lease, then revoke it (or, one time in four, let it expire), and
 * read the key back once the lease is gone. Records the lease's facts for the lease check and its
 * put and reads for the others. A lease whose end is not known (the revoke's answer was lost) is
 * watched with TimeToLive until it is gone, asking every member in turn: its own member may be down
 * for longer than the lease lives (a killed member restarting under load took 10 s here), and a
 * lease whose end went unseen leaves its keys' DELETE events unexplained to the watch check.
 */
final class LeaseClient implements Runnable {
    static final long TTL_SECONDS = 3;
    private static final long DEADLINE_MILLIS = 2_000;
    private static final long GONE_WAIT_MILLIS = TimeUnit.SECONDS.toMillis(TTL_SECONDS) + 60_000;

    private final String memberName;
    private final String key;
    private final KVGrpc.KVBlockingStub kv;
    private final LeaseGrpc.LeaseBlockingStub leases;
    /** Every member's, for TimeToLive while waiting for a lease to be gone. */
    private final List<LeaseGrpc.LeaseBlockingStub> everyMember;
    private final Records records;
    private final SplittableRandom random;
    private final BooleanSupplier stopped;
    private final List<LeaseFacts> facts = new ArrayList<>();
    private long sequence;

    LeaseClient(final int member, final List<ManagedChannel> channels, final String key, final Records records,
                final long seed, final BooleanSupplier stopped) {
        final ManagedChannel channel = channels.get(member - 1);
        this.everyMember = channels.stream().map(LeaseGrpc::newBlockingStub).toList();
        this.memberName = Records.memberName(member);
        this.key = key;
        this.kv = KVGrpc.newBlockingStub(channel);
        this.leases = LeaseGrpc.newBlockingStub(channel);
        this.records = records;
        this.random = new SplittableRandom(seed);
        this.stopped = stopped;
    }

    @Override
    public void run() {
        while (!stopped.getAsBoolean()) {
            final long lease;
            try {
                lease = leases.withDeadlineAfter(DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
                    .leaseGrant(LeaseGrantRequest.newBuilder().setTTL(TTL_SECONDS).build()).getID();
            } catch (final StatusRuntimeException e) {
                pause(500);
                continue; // a grant that failed leaves a lease nobody uses: it expires unseen, harmlessly
            }
            final String value = memberName + "-lease-" + sequence++;
            final LeasedKey put = put(lease, value);
            final LeaseEnd end = random.nextInt(4) == 0 ? awaitGone(lease, LeaseEnd.Kind.EXPIRED) : revoke(lease);
            synchronized (facts) {
                facts.add(new LeaseFacts(lease, put == null ? List.of() : List.of(put), end));
            }
            if (end.ended()) {
                read();
            }
        }
    }

    /** The leases cycled so far. */
    List<LeaseFacts> facts() {
        synchronized (facts) {
            return List.copyOf(facts);
        }
    }

    private LeasedKey put(final long lease, final String value) {
        final Mutation mutation = Mutation.put(key, value, lease);
        final long calledNanos = System.nanoTime();
        try {
            final PutResponse response = kv.withDeadlineAfter(DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
                .put(PutRequest.newBuilder().setKey(KvClient.bytes(key)).setValue(KvClient.bytes(value))
                    .setLease(lease).build());
            final long revision = response.getHeader().getRevision();
            records.write(KvWrite.acknowledged(records.nextId(), memberName, mutation, revision,
                new Span(calledNanos, System.nanoTime())));
            return new LeasedKey(key, value, revision);
        } catch (final StatusRuntimeException e) {
            records.write(KvWrite.indeterminate(records.nextId(), memberName, mutation, calledNanos));
            return new LeasedKey(key, value, KvWrite.NO_REVISION);
        }
    }

    private LeaseEnd revoke(final long lease) {
        try {
            leases.withDeadlineAfter(DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
                .leaseRevoke(LeaseRevokeRequest.newBuilder().setID(lease).build());
            return LeaseEnd.revoked(System.nanoTime()).toldBy(memberName);
        } catch (final StatusRuntimeException e) {
            return awaitGone(lease, LeaseEnd.Kind.EXPIRED); // revoked or not, it is gone by its TTL
        }
    }

    /**
     * Polls TimeToLive until the lease is gone; the end is when that was first seen. Gone is TTL -1
     * with no granted TTL: the lease is not found. etcd also answers TTL -1 for a lease whose time
     * ran out more than a second ago but whose revoke the leader has not applied yet (the TTL is its
     * remaining time, truncated), and its keys are still there until that revoke; the granted TTL
     * then still says 3. The first hour-long run counted that as gone and reported 32 reads of keys
     * "after their lease ended" against etcd.
     */
    private LeaseEnd awaitGone(final long lease, final LeaseEnd.Kind kind) {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GONE_WAIT_MILLIS);
        String lastAnswer = "none";
        for (int asked = 0; System.nanoTime() < deadline; asked++) {
            try {
                final int member = asked % everyMember.size();
                final LeaseTimeToLiveResponse answer = everyMember.get(member)
                    .withDeadlineAfter(DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
                    .leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(lease).build());
                if (notFound(answer)) {
                    // Who said so matters: etcd 3.4 answers TimeToLive from a leader's own lessor without
                    // checking that it still leads (chaos/README.md, Hour-long runs).
                    return new LeaseEnd(kind, System.nanoTime(), 0, Records.memberName(member + 1));
                }
                lastAnswer = "TTL " + answer.getTTL() + " s of " + answer.getGrantedTTL() + " s";
            } catch (final StatusRuntimeException e) {
                lastAnswer = e.getStatus().toString(); // the member may be down or cut off: ask again
            }
            pause(250);
        }
        System.out.println("lease " + Long.toHexString(lease) + " on " + memberName + " not seen gone after "
            + GONE_WAIT_MILLIS + " ms; its last TimeToLive answer: " + lastAnswer);
        return LeaseEnd.NONE;
    }

    /** TimeToLive's answer for a lease it does not know: TTL -1 and nothing granted. */
    static boolean notFound(final LeaseTimeToLiveResponse answer) {
        return answer.getTTL() == -1 && answer.getGrantedTTL() == 0;
    }

    private void read() {
        final long calledNanos = System.nanoTime();
        try {
            final RangeResponse response = kv.withDeadlineAfter(DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
                .range(RangeRequest.newBuilder().setKey(KvClient.bytes(key)).build());
            records.read(records.readOf(memberName, key, Consistency.LINEARIZABLE, response,
                new Span(calledNanos, System.nanoTime())));
        } catch (final StatusRuntimeException e) {
            // a failed read shows nothing
        }
    }

    private static void pause(final long millis) {
        try {
            Thread.sleep(millis);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
