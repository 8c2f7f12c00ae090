package io.cairn.engine.server;

import io.cairn.engine.cluster.Member;
import io.cairn.engine.node.KeyValueStore;
import io.cairn.etcd.api.etcdserverpb.ClusterGrpc;
import io.cairn.etcd.api.etcdserverpb.MemberListRequest;
import io.cairn.etcd.api.etcdserverpb.MemberListResponse;
import io.cairn.etcd.api.etcdserverpb.ResponseHeader;
import io.grpc.stub.StreamObserver;

/**
 * etcd's Cluster service: MemberList from the members the log has applied on this member, in id
 * order as etcd lists them. Membership changes (MemberAdd, Remove, Update, Promote) come with the
 * membership issue; until then they answer UNIMPLEMENTED.
 */
final class ClusterService extends ClusterGrpc.ClusterImplBase {
    private final KeyValueStore store;
    private final ResponseHeaders headers;

    ClusterService(final KeyValueStore store, final ResponseHeaders headers) {
        this.store = store;
        this.headers = headers;
    }

    @Override
    public void memberList(final MemberListRequest request, final StreamObserver<MemberListResponse> observer) {
        GrpcCalls.respond(observer, () -> {
            // etcd's cluster service header carries no revision.
            final ResponseHeader header = headers.at(0);
            final MemberListResponse.Builder response = MemberListResponse.newBuilder().setHeader(header);
            for (final Member member : store.members()) {
                response.addMembers(io.cairn.etcd.api.etcdserverpb.Member.newBuilder()
                    .setID(member.id())
                    .setName(member.name())
                    .addAllPeerURLs(member.peerUrls())
                    .addAllClientURLs(member.clientUrls())
                    .setIsLearner(member.learner()));
            }
            return response.build();
        });
    }
}
