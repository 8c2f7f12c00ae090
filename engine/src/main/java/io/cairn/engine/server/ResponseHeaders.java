package io.cairn.engine.server;

import io.cairn.etcd.api.etcdserverpb.ResponseHeader;
import java.util.function.LongSupplier;

/** Fills the parts of etcd's response header that only the server knows; the term is read at each call. */
public record ResponseHeaders(long clusterId, long memberId, LongSupplier raftTerm) {
    public ResponseHeader complete(final ResponseHeader header) {
        return header.toBuilder().setClusterId(clusterId).setMemberId(memberId).setRaftTerm(raftTerm.getAsLong())
            .build();
    }

    public ResponseHeader at(final long revision) {
        return ResponseHeader.newBuilder().setClusterId(clusterId).setMemberId(memberId)
            .setRaftTerm(raftTerm.getAsLong()).setRevision(revision).build();
    }
}
