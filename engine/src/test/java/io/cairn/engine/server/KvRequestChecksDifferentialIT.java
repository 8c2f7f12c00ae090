package io.cairn.engine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.etcd.api.etcdserverpb.Compare;
import io.cairn.etcd.api.etcdserverpb.DeleteRangeRequest;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.RequestOp;
import io.cairn.etcd.api.etcdserverpb.TxnRequest;
import io.grpc.StatusRuntimeException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

/**
 * Sends random (often invalid) Txn requests to Debian etcd and to Cairn's checks and requires the
 * same verdict: accepted, or the same error. Replay with -Dcairn.seed=N.
 */
class KvRequestChecksDifferentialIT {
    private static final int MAX_TXN_OPS = 8;
    private static final int REQUESTS = 2000;
    private static final int DEPTH_MAX = 3;
    private static final String[] KEYS = {"a", "b", "ab", "a\0"};
    private static final String[] RANGE_ENDS = {"", "", "\0", "b", "c", "d", "a\1", "0"};

    @Test
    void etcdAndCairnRefuseTheSameTxnRequests() throws Exception {
        final long seed = Long.getLong("cairn.seed", System.nanoTime());
        final Random random = new Random(seed);
        final Map<EtcdError, Integer> seen = new EnumMap<>(EtcdError.class);
        int accepted = 0;
        try (ServerProcess etcd = ServerProcess.start("--max-txn-ops", Integer.toString(MAX_TXN_OPS))) {
            final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(etcd.channel());
            for (int i = 0; i < REQUESTS; i++) {
                final TxnRequest request = txn(random, 0);
                final String etcdVerdict = etcdVerdict(kv, request);
                final String cairnVerdict;
                try {
                    KvRequestChecks.checkTxn(request, MAX_TXN_OPS);
                    cairnVerdict = "OK";
                    accepted++;
                } catch (final EtcdException e) {
                    seen.merge(e.error(), 1, Integer::sum);
                    requireSameVerdict(seed, i, request, etcdVerdict, GrpcErrors.code(e.error()) + ": " + e.error().message());
                    continue;
                }
                requireSameVerdict(seed, i, request, etcdVerdict, cairnVerdict);
            }
        }
        // The generator must reach every verdict, or this test proves little.
        assertTrue(accepted > 0, "no request was accepted");
        for (final EtcdError expected : new EtcdError[] {EtcdError.DUPLICATE_KEY, EtcdError.TOO_MANY_OPS,
            EtcdError.EMPTY_KEY, EtcdError.KEY_NOT_FOUND, EtcdError.VALUE_PROVIDED, EtcdError.LEASE_PROVIDED}) {
            assertTrue(seen.containsKey(expected), "never produced " + expected + " (seed " + seed + "): " + seen);
        }
    }

    private static void requireSameVerdict(final long seed, final int index, final TxnRequest request,
        final String etcd, final String cairn) {
        assertEquals(etcd, cairn, "request " + index + " (replay with -Dcairn.seed=" + seed + "): " + request);
    }

    private static String etcdVerdict(final KVGrpc.KVBlockingStub kv, final TxnRequest request) {
        try {
            kv.withDeadlineAfter(10, TimeUnit.SECONDS).txn(request);
            return "OK";
        } catch (final StatusRuntimeException e) {
            return e.getStatus().getCode() + ": " + e.getStatus().getDescription();
        }
    }

    private static TxnRequest txn(final Random random, final int depth) {
        final TxnRequest.Builder txn = TxnRequest.newBuilder();
        // Mostly small, so that nested Txns stay within the op budget and reach the overlap check;
        // now and then one over the limit.
        final int compares = random.nextInt(40) == 0 ? MAX_TXN_OPS + 1 : random.nextInt(3);
        for (int i = 0; i < compares; i++) {
            txn.addCompare(Compare.newBuilder()
                .setKey(random.nextInt(20) == 0 ? ByteString.EMPTY : bytes(pick(random, KEYS)))
                .setTarget(Compare.CompareTarget.VERSION)
                .setResult(Compare.CompareResult.GREATER)
                .setVersion(-1));
        }
        final int success = random.nextInt(40) == 0 ? MAX_TXN_OPS + 1 : 1 + random.nextInt(3);
        for (int i = 0; i < success; i++) {
            txn.addSuccess(op(random, depth));
        }
        final int failure = random.nextInt(4);
        for (int i = 0; i < failure; i++) {
            txn.addFailure(op(random, depth));
        }
        return txn.build();
    }

    private static RequestOp op(final Random random, final int depth) {
        final int kind = random.nextInt(depth < DEPTH_MAX ? 115 : 85);
        if (kind < 3) {
            return RequestOp.getDefaultInstance();
        }
        if (kind < 15) {
            return RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder()
                .setKey(random.nextInt(20) == 0 ? ByteString.EMPTY : bytes(pick(random, KEYS)))).build();
        }
        if (kind < 50) {
            final PutRequest.Builder put = PutRequest.newBuilder()
                .setKey(random.nextInt(30) == 0 ? ByteString.EMPTY : bytes(pick(random, KEYS)))
                .setValue(bytes("v"));
            // These flags always carry a value the checks refuse: on their own etcd would get
            // past the checks and fail later, at apply, for reasons outside this test.
            if (random.nextInt(30) == 0) {
                put.setIgnoreValue(true);
            } else if (random.nextInt(30) == 0) {
                put.setIgnoreLease(true).setLease(1);
            }
            return RequestOp.newBuilder().setRequestPut(put).build();
        }
        if (kind < 85) {
            return RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder()
                .setKey(random.nextInt(30) == 0 ? ByteString.EMPTY : bytes(pick(random, KEYS)))
                .setRangeEnd(bytes(pick(random, RANGE_ENDS)))).build();
        }
        return RequestOp.newBuilder().setRequestTxn(txn(random, depth + 1)).build();
    }

    private static String pick(final Random random, final String[] choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static ByteString bytes(final String text) {
        return ByteString.copyFromUtf8(text);
    }
}
