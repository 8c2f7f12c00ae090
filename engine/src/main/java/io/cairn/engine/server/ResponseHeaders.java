package io.cairn.engine.server;

import io.cairn.etcd.api.etcdserverpb.ResponseHeader;

/** Fills the parts of etcd's response header that only the server knows. */
public record ResponseHeaders(long clusterId, long memberId, long raftTerm) {
    public ResponseHeader complete(final ResponseHeader header) {
        return header.toBuilder().setClusterId(clusterId).setMemberId(memberId).setRaftTerm(raftTerm).build();
    }

    public ResponseHeader at(final long revision) {
        return ResponseHeader.newBuilder().setClusterId(clusterId).setMemberId(memberId).setRaftTerm(raftTerm)
            .setRevision(revision).build();
    }
}
