package io.cairn.engine.node;

import io.cairn.btree.TreeImage;
import io.cairn.engine.auth.AuthEvent;
import io.cairn.engine.auth.AuthInfo;
import io.cairn.engine.auth.AuthOp;
import io.cairn.engine.auth.AuthState;
import io.cairn.engine.auth.Authenticated;
import io.cairn.engine.cluster.Alarm;
import io.cairn.engine.cluster.Member;
import io.cairn.engine.lease.GrantedLease;
import io.cairn.engine.lease.Lessor;
import io.cairn.engine.mvcc.History;
import io.cairn.engine.mvcc.KvHash;
import io.cairn.engine.mvcc.OpResult;
import io.cairn.engine.mvcc.RangeQuery;
import io.cairn.engine.mvcc.RangeResult;
import io.cairn.engine.mvcc.TxnOp;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * What the gRPC facade needs from the member: reads, and writes that return once durable and
 * applied (the Raft-backed member, {@link RaftKeyValueStore}; tests may stand in).
 */
public interface KeyValueStore {
    /** A read of the local tree (serializable): call {@link #linearizableRead} first for a linearizable one. */
    RangeResult range(RangeQuery query);

    /**
     * Completes once a read on this member is linearizable: the leader confirmed its leadership
     * after this call, and this member has applied up to the leader's commit index of that moment.
     * Fails with etcd's error (no leader, leader changed, request timed out). It completes on the
     * Raft loop or the apply thread: continue on another executor.
     */
    CompletableFuture<Void> linearizableRead();

    /*
     * Writes complete when durable and applied, failing with EtcdException (or IllegalArgumentException)
     * when refused. They never block the caller, so gRPC threads are not parked on them. A put's key and
     * value arrays may be read after the call returns (the Raft loop encodes a plain put itself): the
     * caller must not change them until the write completes.
     */
    default CompletableFuture<OpResult.Put> put(final TxnOp.Put put) {
        return put(put, AuthInfo.NONE);
    }

    default CompletableFuture<OpResult.DeleteRange> deleteRange(final TxnOp.DeleteRange delete) {
        return deleteRange(delete, AuthInfo.NONE);
    }

    default CompletableFuture<OpResult.Txn> txn(final TxnOp.Txn txn) {
        return txn(txn, AuthInfo.NONE);
    }

    /*
     * The same writes on behalf of {@code caller}: once auth is on, the applying member refuses one
     * the caller may not make (PERMISSION_DENIED, USER_EMPTY, AUTH_OLD_REVISION), leaving no trace.
     */
    CompletableFuture<OpResult.Put> put(TxnOp.Put put, AuthInfo caller);

    CompletableFuture<OpResult.DeleteRange> deleteRange(TxnOp.DeleteRange delete, AuthInfo caller);

    CompletableFuture<OpResult.Txn> txn(TxnOp.Txn txn, AuthInfo caller);

    /** The auth store as of the last applied entry (request checks, UserGet and the like). */
    AuthState auth();

    /**
     * Changes the auth store through the log on behalf of {@code caller} (who needs the root role once
     * auth is on); completes with the response header's revision.
     */
    CompletableFuture<Long> changeAuth(AuthInfo caller, AuthOp op);

    /**
     * Proposes an Authenticate for {@code name}, whose password the caller has checked; completes with
     * what the token is made from once applied, or fails with AUTH_NOT_ENABLED or AUTH_FAILED.
     */
    CompletableFuture<Authenticated> authenticate(String name, String simpleTokenPrefix);

    /** {@code listener} hears each applied auth event, on the applying thread (the tokens of this member). */
    void onAuthEvent(Consumer<AuthEvent> listener);

    /** A Txn of Ranges only, on the local tree without the log; call {@link #linearizableRead} first when etcd would. */
    OpResult.Txn readOnlyTxn(TxnOp.Txn txn);

    /**
     * Completes with the response header's revision: at once, or with {@code physical} once the
     * obsolete versions are physically gone.
     */
    CompletableFuture<Long> compact(long revision, boolean physical);

    long currentRevision();

    /**
     * Completes once the store's revision is above {@code revision}, on the applying thread: continue
     * on another executor.
     */
    CompletableFuture<Void> revisionAfter(long revision);

    /** Grants a lease (id 0: the member picks one); fails with LEASE_EXISTS if the id is taken. */
    CompletableFuture<GrantedLease> leaseGrant(long id, long ttlSeconds);

    /** Revokes a lease, deleting its keys in one revision; completes with the header's revision. */
    CompletableFuture<Long> leaseRevoke(long id);

    /** A keep-alive: completes with the lease's TTL, or fails with LEASE_NOT_FOUND. */
    CompletableFuture<Long> leaseRenew(long id);

    /**
     * A lease's remaining and granted TTL, or null when there is no such lease, read once this member
     * has applied everything committed when the call came (ReadIndex): what etcd's forwarding of
     * TimeToLive to the leader gives. Read from a follower's lessor at once, a lease just granted
     * through another member would read as absent, and one just revoked as alive.
     */
    default CompletableFuture<Lessor.TimeToLive> leaseTimeToLive(final long id) {
        return linearizableRead().thenApply(applied -> lessor().timeToLive(id));
    }

    /** The applied leases and their expiry, for TimeToLive and Leases. */
    Lessor lessor();

    /** The keys attached to a lease, in key order. */
    List<byte[]> leaseKeys(long id);

    /** Runs {@code reader} on one consistent snapshot of the store's history (the watch thread's reads). */
    <T> T readHistory(Function<History, T> reader);

    /** {@code listener} hears each new current revision, from the applying thread, right after its commit. */
    void onRevisionCommitted(LongConsumer listener);

    /** Maintenance.Hash: the whole backend's hash (see BackendHash), with the revision it was taken at. */
    BackendHashResult hashBackend();

    /** A hash of the backend and the revision it covers. */
    record BackendHashResult(int hash, long revision) {
    }

    /**
     * A consistent image of the backend as it is now, readable while writes go on (Maintenance.Snapshot);
     * the caller closes it, before the store closes.
     */
    TreeImage openBackendImage() throws IOException;

    /** The raised alarms, as of the last applied entry (the same on every member once it has applied as far). */
    List<Alarm> alarms();

    /**
     * Raises ({@code activate}) or disarms an alarm through the log; completes with the alarm
     * raised or disarmed, or empty when a disarmed alarm was not raised.
     */
    CompletableFuture<Optional<Alarm>> changeAlarm(boolean activate, Alarm alarm);

    /**
     * Maintenance.Defragment: rewrites this member's backend file compactly while reads and writes go
     * on (requests run one at a time); completes with what it did, or with the disk error that left
     * the file unchanged.
     */
    CompletableFuture<io.cairn.btree.Env.Defragmentation> defragment();

    /** What the member counts about itself, for /metrics. */
    NodeMetrics metrics();

    /** The backend's size, which --quota-backend-bytes limits. */
    long backendSizeBytes();

    /** What the backend's newest tree uses of it: its size less the pages a defragmentation could give back. */
    long backendSizeInUseBytes();

    /** The current Raft term, as response headers report it. */
    long raftTerm();

    /** The Raft log's commit index, as Maintenance.Status reports it. */
    long raftIndex();

    /** The index of the last entry applied to the store, as Maintenance.Status reports it. */
    long raftAppliedIndex();

    /** Who this member is, who leads, and where Raft stands (Maintenance.Status, response headers). */
    MemberStatus status();

    /**
     * MoveLeader: this member, the leader, hands leadership to the member {@code transferee}.
     * Completes once the transferee leads; fails with etcd's NOT_LEADER, BAD_LEADER_TRANSFEREE or
     * TIMEOUT_LEADER_TRANSFER.
     */
    CompletableFuture<Void> moveLeader(long transferee);

    /** The cluster's members, as applied (Cluster.MemberList). */
    List<Member> members();

    /**
     * MemberAdd: the member {@code id} at {@code peerUrls}, a voter or a learner. Completes with the
     * members once the change is applied here; fails with etcd's refusal (MEMBER_EXISTS,
     * PEER_URL_EXISTS, TOO_MANY_LEARNERS, MEMBER_NOT_FOUND for a removed id, PROPOSAL_DROPPED while
     * another change is under way). The reconfiguration checks are the caller's.
     */
    CompletableFuture<List<Member>> addMember(long id, List<String> peerUrls, boolean learner);

    /** MemberRemove, as {@link #addMember}: fails with MEMBER_NOT_FOUND for an id not (or no longer) a member. */
    CompletableFuture<List<Member>> removeMember(long id);

    /** MemberPromote of a learner, as {@link #addMember}: MEMBER_NOT_FOUND, MEMBER_NOT_LEARNER. */
    CompletableFuture<List<Member>> promoteMember(long id);

    /** MemberUpdate: the member's new peer URLs (MEMBER_NOT_FOUND, PEER_URL_EXISTS). */
    CompletableFuture<List<Member>> updateMember(long id, List<String> peerUrls);

    /**
     * Since when (System.nanoTime) the transport has been connected to member {@code id} without a
     * break; {@link Long#MIN_VALUE} when it is not connected now (etcd's ActiveSince, for the
     * reconfiguration checks).
     */
    long peerConnectedSinceNanos(long id);

    /**
     * On the leader, how far member {@code id}'s log and the leader's own match the leader's (etcd's
     * isLearnerReady compares them); null on a member that does not lead, or for an unknown id.
     */
    ReplicationProgress replicationProgress(long id);

    /** Ids removed from the cluster, which never come back (etcd's members_removed). */
    java.util.Set<Long> removedMemberIds();

    /** Whether this member is a learner (cheap: read per call by the learner refusals). */
    boolean isLearner();

    /** Completes when this member has been removed from its cluster and should stop (etcd exits). */
    CompletableFuture<Void> removal();

    /** Maintenance.HashKV of the local store at {@code revision} (0: current); see {@link KvHash}. */
    KvHash.Result hashKv(long revision);
}
