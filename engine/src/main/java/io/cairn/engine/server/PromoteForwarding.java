package io.cairn.engine.server;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.cluster.Member;
import io.cairn.engine.cluster.MembershipRules;
import io.cairn.engine.node.KeyValueStore;
import io.cairn.etcd.api.etcdserverpb.ClusterGrpc;
import io.cairn.etcd.api.etcdserverpb.MemberPromoteRequest;
import io.cairn.etcd.api.etcdserverpb.MemberPromoteResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A follower's MemberPromote, handed to the leader at its advertised client URL (etcd hands it
 * over at the leader's peer URL; Cairn's peers speak Raft over Aeron, so the client API carries
 * it). The caller's token goes along, and the leader answers as if asked directly: its refusals
 * ("can only promote a learner member which is in sync with leader") reach the client unchanged.
 */
final class PromoteForwarding implements ClusterService.LeaderForwarding {
    private final MemberChannels channels;
    private final long timeoutMillis;

    PromoteForwarding(final MemberChannels channels, final long timeoutMillis) {
        this.channels = channels;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public CompletableFuture<MemberPromoteResponse> promote(final KeyValueStore store,
        final MemberPromoteRequest request, final String token) {
        final long leaderId = store.status().leaderId();
        final Member leader = leaderId == 0 ? null : MembershipRules.find(store.members(), leaderId);
        if (leader == null || leader.clientUrls().isEmpty()) {
            throw new EtcdException(EtcdError.NO_LEADER);
        }
        final ManagedChannel channel = channels.open(URI.create(leader.clientUrls().getFirst()));
        final CompletableFuture<MemberPromoteResponse> answer = new CompletableFuture<>();
        answer.whenComplete((response, failure) -> channel.shutdown());
        ClusterGrpc.ClusterStub stub = ClusterGrpc.newStub(channel).withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS);
        if (token != null) {
            stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(Callers.withToken(token)));
        }
        stub.memberPromote(request, new StreamObserver<>() {
            @Override
            public void onNext(final MemberPromoteResponse response) {
                answer.complete(response);
            }

            @Override
            public void onError(final Throwable failure) {
                answer.completeExceptionally(failure);
            }

            @Override
            public void onCompleted() {
                answer.complete(null);
            }
        });
        return answer;
    }
}
