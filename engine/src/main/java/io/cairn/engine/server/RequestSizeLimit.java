package io.cairn.engine.server;

import com.google.protobuf.MessageLite;
import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;

/** etcd's --max-request-bytes, counted as etcd counts it: on the Raft entry the request becomes. */
final class RequestSizeLimit {
    private final long maxRequestBytes;
    /** Every id of this member has as many wire bytes as this one (the member id fills the top bits). */
    private final long largestRequestId;

    RequestSizeLimit(final long maxRequestBytes, final long largestRequestId) {
        this.maxRequestBytes = maxRequestBytes;
        this.largestRequestId = largestRequestId;
    }

    /** Refuses, with etcd's error, a request whose Raft entry would exceed the limit. */
    void check(final int field, final MessageLite request) {
        if (RaftRequestSize.bytes(field, request.getSerializedSize(), largestRequestId) > maxRequestBytes) {
            throw new EtcdException(EtcdError.REQUEST_TOO_LARGE);
        }
    }
}
