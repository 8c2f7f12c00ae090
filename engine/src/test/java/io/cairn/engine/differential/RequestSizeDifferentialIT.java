package io.cairn.engine.differential;

import com.google.protobuf.ByteString;
import com.google.protobuf.TextFormat;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.SideBySide;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.RequestOp;
import io.cairn.etcd.api.etcdserverpb.TxnRequest;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Writes at the edge of --max-request-bytes, against etcd and Cairn on the same ports (so the same
 * member id, and request ids of the same length): both accept and refuse the same requests, with
 * the same error, and a refused Txn leaves nothing behind. etcd counts the whole Raft request (the
 * client's request wrapped with a header carrying the request id), so a request a few bytes under
 * the limit is already too large.
 */
class RequestSizeDifferentialIT {
    private static final int MAX_REQUEST_BYTES = 1_572_864;
    /** The sweep covers every request size from the limit down by this many bytes. */
    private static final int SWEEP_BYTES = 24;

    @Test
    void bothDrawTheLineAtTheSameRequestAndRefusedTxnsLeaveNoTrace() throws Exception {
        SideBySide.assertSame(RequestSizeDifferentialIT::session, i -> "answer " + i);
    }

    private static List<String> session(final ServerProcess.Kind kind, final int clientPort, final int peerPort)
        throws Exception {
        final List<String> answers = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start(kind, clientPort, peerPort)) {
            final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(server.channel())
                .withDeadlineAfter(60, TimeUnit.SECONDS);
            // The audit's case: a Txn of 1,572,855 bytes whose second put is refused.
            final TxnRequest txn = TxnRequest.newBuilder()
                .addSuccess(put("a", new byte[] {'1'}))
                .addSuccess(put("b", new byte[1_572_830]))
                .build();
            answers.add("txn of " + txn.getSerializedSize() + " bytes: " + call(() -> kv.txn(txn)));
            answers.add("put c: " + call(() -> kv.put(PutRequest.newBuilder().setKey(bytes("c"))
                .setValue(bytes("3")).build()).getHeader().getRevision()));
            answers.add("keys: " + keysAt(kv, 0));
            for (long revision = 1; revision <= 3; revision++) {
                final long at = revision;
                answers.add("keys at " + at + ": " + call(() -> keysAt(kv, at)));
            }
            // Every put and one-put Txn size near the limit.
            for (int requestBytes = MAX_REQUEST_BYTES - SWEEP_BYTES; requestBytes <= MAX_REQUEST_BYTES; requestBytes++) {
                final PutRequest sized = putOfSize("p", requestBytes);
                answers.add("put of " + requestBytes + " bytes: " + call(() -> kv.put(sized).getHeader().getRevision()));
                final TxnRequest txnOfOne = txnOfSize("t", requestBytes);
                answers.add("txn of " + requestBytes + " bytes: "
                    + call(() -> kv.txn(txnOfOne).getHeader().getRevision()));
            }
            answers.add("keys at the end: " + keysAt(kv, 0));
        }
        return answers;
    }

    private static RequestOp put(final String key, final byte[] value) {
        return RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bytes(key))
            .setValue(ByteString.copyFrom(value))).build();
    }

    /** A put of {@code key} whose serialized request is exactly {@code requestBytes}. */
    private static PutRequest putOfSize(final String key, final int requestBytes) {
        int valueBytes = requestBytes;
        PutRequest request;
        do {
            request = PutRequest.newBuilder().setKey(bytes(key)).setValue(ByteString.copyFrom(new byte[--valueBytes]))
                .build();
        } while (request.getSerializedSize() > requestBytes);
        if (request.getSerializedSize() != requestBytes) {
            // A length prefix changed size at this boundary; one byte of key makes up the difference.
            request = request.toBuilder().setKey(bytes(key + "x".repeat(requestBytes - request.getSerializedSize())))
                .build();
        }
        return request;
    }

    private static TxnRequest txnOfSize(final String key, final int requestBytes) {
        int putBytes = requestBytes;
        TxnRequest request;
        do {
            final PutRequest inner = putOfSize(key, --putBytes);
            request = TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder().setRequestPut(inner)).build();
        } while (request.getSerializedSize() > requestBytes);
        return request;
    }

    /** Each live key with its mod revision and value size, at {@code revision} (0: the current one). */
    private static String keysAt(final KVGrpc.KVBlockingStub kv, final long revision) {
        final StringBuilder keys = new StringBuilder();
        kv.range(RangeRequest.newBuilder().setKey(bytes("\0")).setRangeEnd(bytes("\0")).setRevision(revision).build())
            .getKvsList().forEach(k -> keys.append(k.getKey().toStringUtf8()).append('@').append(k.getModRevision())
                .append('(').append(k.getValue().size()).append(") "));
        return keys.toString().trim();
    }

    private static String call(final Callable<Object> request) {
        try {
            final Object response = request.call();
            return response instanceof com.google.protobuf.MessageOrBuilder message
                ? TextFormat.printer().shortDebugString(message).replaceAll("cluster_id: \\d+ member_id: \\d+ ", "")
                : String.valueOf(response);
        } catch (final StatusRuntimeException e) {
            return e.getStatus().getCode() + ": " + e.getStatus().getDescription();
        } catch (final Exception e) {
            throw new AssertionError(e);
        }
    }

    private static ByteString bytes(final String text) {
        return ByteString.copyFromUtf8(text);
    }
}
