package io.cairn.engine.server;

import com.google.protobuf.CodedOutputStream;

/**
 * What etcd measures against --max-request-bytes: not the client's request but the Raft entry it
 * becomes, an {@code InternalRaftRequest} (etcd's raft_internal.proto) holding the request in its
 * field and a {@code RequestHeader} with the request id. The header alone is 13-14 bytes, so a
 * request a few bytes under the limit is already too large, and Cairn must refuse exactly those.
 */
public final class RaftRequestSize {
    /** InternalRaftRequest's fields for the requests the KV service proposes. */
    public static final int PUT_FIELD = 4;
    public static final int DELETE_RANGE_FIELD = 5;
    public static final int TXN_FIELD = 6;
    private static final int HEADER_FIELD = 100;
    private static final int HEADER_ID_FIELD = 1;

    private RaftRequestSize() {
    }

    /**
     * The serialized size of an InternalRaftRequest carrying a {@code requestBytes} request in
     * {@code field}, with a header holding request id {@code requestId} (no user: Auth is not on).
     */
    public static long bytes(final int field, final int requestBytes, final long requestId) {
        final int headerBytes = CodedOutputStream.computeUInt64Size(HEADER_ID_FIELD, requestId);
        return CodedOutputStream.computeTagSize(HEADER_FIELD) + CodedOutputStream.computeUInt32SizeNoTag(headerBytes)
            + headerBytes
            + CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(requestBytes)
            + (long)requestBytes;
    }
}
