package io.cairn.engine.server;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.auth.Permissions;
import io.cairn.engine.cluster.Member;
import io.cairn.engine.cluster.MemberIds;
import io.cairn.engine.cluster.MembershipRules;
import io.cairn.engine.cluster.ReconfigurationChecks;
import io.cairn.engine.config.UrlList;
import io.cairn.engine.node.KeyValueStore;
import io.cairn.engine.node.ReplicationProgress;
import io.cairn.etcd.api.etcdserverpb.ClusterGrpc;
import io.cairn.etcd.api.etcdserverpb.MemberAddRequest;
import io.cairn.etcd.api.etcdserverpb.MemberAddResponse;
import io.cairn.etcd.api.etcdserverpb.MemberListRequest;
import io.cairn.etcd.api.etcdserverpb.MemberListResponse;
import io.cairn.etcd.api.etcdserverpb.MemberPromoteRequest;
import io.cairn.etcd.api.etcdserverpb.MemberPromoteResponse;
import io.cairn.etcd.api.etcdserverpb.MemberRemoveRequest;
import io.cairn.etcd.api.etcdserverpb.MemberRemoveResponse;
import io.cairn.etcd.api.etcdserverpb.MemberUpdateRequest;
import io.cairn.etcd.api.etcdserverpb.MemberUpdateResponse;
import io.cairn.etcd.api.etcdserverpb.ResponseHeader;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * etcd's Cluster service: MemberList from the members the log has applied on this member, in id
 * order as etcd lists them; MemberAdd, MemberRemove, MemberPromote and MemberUpdate through Raft,
 * answered once applied here. Root only once auth is on. With --strict-reconfig-check (etcd's
 * default) a change that would leave too few started or connected voters is refused before it is
 * proposed ({@link ReconfigurationChecks}). Only the leader knows whether a learner has caught up,
 * so a follower hands MemberPromote to it ({@link LeaderForwarding}).
 */
final class ClusterService extends ClusterGrpc.ClusterImplBase {
    /** etcd's HealthInterval: a peer counts as connected once its link has been up this long. */
    static final long HEALTH_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final KeyValueStore store;
    private final ResponseHeaders headers;
    private final Callers callers;
    private final boolean strictReconfigCheck;
    private final Clock clock;
    private final LeaderForwarding leader;

    ClusterService(final KeyValueStore store, final ResponseHeaders headers, final Callers callers,
        final boolean strictReconfigCheck, final Clock clock, final LeaderForwarding leader) {
        this.store = store;
        this.headers = headers;
        this.callers = callers;
        this.strictReconfigCheck = strictReconfigCheck;
        this.clock = clock;
        this.leader = leader;
    }

    @Override
    public void memberList(final MemberListRequest request, final StreamObserver<MemberListResponse> observer) {
        GrpcCalls.respond(observer, () -> MemberListResponse.newBuilder().setHeader(header())
            .addAllMembers(protos(store.members())).build());
    }

    @Override
    public void memberAdd(final MemberAddRequest request, final StreamObserver<MemberAddResponse> observer) {
        GrpcCalls.respondLater(observer, () -> {
            final List<String> peerUrls = peerUrls(request.getPeerURLsList());
            checkAdmin();
            // etcd's new member id: the peer URLs and the time in seconds, so a member re-added at the
            // same URLs after a removal gets a new id (a removed id never comes back).
            final long id = MemberIds.memberId(peerUrls.stream().map(URI::create).toList(),
                Long.toString(clock.instant().getEpochSecond()));
            if (strictReconfigCheck) {
                final List<Member> members = store.members();
                if (!request.getIsLearner() && !ReconfigurationChecks.readyToAddVoter(members)) {
                    throw new EtcdException(EtcdError.MEMBER_NOT_ENOUGH_STARTED);
                }
                if (!ReconfigurationChecks.connectedToAllVoters(members, selfId(), this::connectedLongEnough)) {
                    throw new EtcdException(EtcdError.UNHEALTHY);
                }
            }
            return store.addMember(id, peerUrls, request.getIsLearner()).thenApply(members ->
                MemberAddResponse.newBuilder().setHeader(header())
                    .setMember(io.cairn.etcd.api.etcdserverpb.Member.newBuilder().setID(id).addAllPeerURLs(peerUrls)
                        .setIsLearner(request.getIsLearner()))
                    .addAllMembers(protos(members)).build());
        });
    }

    @Override
    public void memberRemove(final MemberRemoveRequest request, final StreamObserver<MemberRemoveResponse> observer) {
        GrpcCalls.respondLater(observer, () -> {
            checkAdmin();
            final long id = request.getID();
            if (strictReconfigCheck) {
                checkRemoval(store.members(), id);
            }
            return store.removeMember(id).thenApply(members -> MemberRemoveResponse.newBuilder().setHeader(header())
                .addAllMembers(protos(members)).build());
        });
    }

    /** etcd's mayRemoveMember. */
    private void checkRemoval(final List<Member> members, final long id) {
        final Member removed = MembershipRules.find(members, id);
        if (removed != null && removed.learner()) {
            return; // a learner is no part of any quorum
        }
        if (!ReconfigurationChecks.readyToRemoveVoter(members, id)) {
            throw new EtcdException(EtcdError.MEMBER_NOT_ENOUGH_STARTED);
        }
        if (id != selfId() && store.peerConnectedSinceNanos(id) == Long.MIN_VALUE) {
            return; // a member that is down is no part of the active quorum
        }
        if (!ReconfigurationChecks.removalKeepsActiveQuorum(members, selfId(), this::connectedLongEnough)) {
            throw new EtcdException(EtcdError.UNHEALTHY);
        }
    }

    @Override
    public void memberPromote(final MemberPromoteRequest request,
        final StreamObserver<MemberPromoteResponse> observer) {
        GrpcCalls.respondLater(observer, () -> {
            checkAdmin();
            final long id = request.getID();
            if (!store.status().isLeader()) {
                return leader.promote(store, request, Callers.currentToken());
            }
            final ReplicationProgress progress = store.replicationProgress(id);
            // etcd's isLearnerReady: an id the leader does not track is left to the apply-time checks.
            if (progress != null && !ReconfigurationChecks.learnerReady(progress.memberMatchIndex(),
                progress.leaderMatchIndex())) {
                throw new EtcdException(EtcdError.LEARNER_NOT_READY);
            }
            if (strictReconfigCheck && !ReconfigurationChecks.readyToPromote(store.members())) {
                throw new EtcdException(EtcdError.MEMBER_NOT_ENOUGH_STARTED);
            }
            return store.promoteMember(id).thenApply(members -> MemberPromoteResponse.newBuilder()
                .setHeader(header()).addAllMembers(protos(members)).build());
        });
    }

    @Override
    public void memberUpdate(final MemberUpdateRequest request, final StreamObserver<MemberUpdateResponse> observer) {
        GrpcCalls.respondLater(observer, () -> {
            final List<String> peerUrls = peerUrls(request.getPeerURLsList());
            checkAdmin();
            return store.updateMember(request.getID(), peerUrls).thenApply(members ->
                MemberUpdateResponse.newBuilder().setHeader(header()).addAllMembers(protos(members)).build());
        });
    }

    /** etcd's checkMembershipOperationPermission: root only once auth is on (its errors converted, unlike Maintenance's). */
    private void checkAdmin() {
        Permissions.checkAdmin(store.auth(), callers.current());
    }

    /** The peer URLs of a request, as etcd's types.NewURLs takes them; anything else is "given member URLs are invalid". */
    private static List<String> peerUrls(final List<String> given) {
        if (given.isEmpty()) {
            throw new EtcdException(EtcdError.MEMBER_BAD_URLS);
        }
        final List<String> urls = new ArrayList<>(given.size());
        for (final String url : given) {
            try {
                urls.add(UrlList.parseOne("peer URL", url.trim()).toString());
            } catch (final IllegalArgumentException bad) {
                throw new EtcdException(EtcdError.MEMBER_BAD_URLS);
            }
        }
        return urls.stream().sorted().toList();
    }

    private boolean connectedLongEnough(final long id) {
        final long since = store.peerConnectedSinceNanos(id);
        return since != Long.MIN_VALUE && System.nanoTime() - since >= HEALTH_INTERVAL_NANOS;
    }

    private long selfId() {
        return store.status().memberId();
    }

    /** etcd's cluster service header carries no revision. */
    private ResponseHeader header() {
        return headers.at(0);
    }

    static List<io.cairn.etcd.api.etcdserverpb.Member> protos(final List<Member> members) {
        return members.stream().map(member -> io.cairn.etcd.api.etcdserverpb.Member.newBuilder()
            .setID(member.id())
            .setName(member.name())
            .addAllPeerURLs(member.peerUrls())
            .addAllClientURLs(member.clientUrls())
            .setIsLearner(member.learner()).build()).toList();
    }

    /** Hands a MemberPromote to the leader, the only member that knows whether the learner caught up. */
    interface LeaderForwarding {
        CompletableFuture<MemberPromoteResponse> promote(KeyValueStore store, MemberPromoteRequest request,
            String token);
    }
}
