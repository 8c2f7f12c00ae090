package io.cairn.engine.server;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.etcd.api.etcdserverpb.DeleteRangeRequest;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.RequestOp;
import io.cairn.etcd.api.etcdserverpb.TxnRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import com.google.protobuf.ByteString;

/**
 * The checks etcd's KV service makes before a request reaches Raft, with etcd's errors, so that
 * a bad request is refused the same way (and nothing bad is ever logged).
 */
public final class KvRequestChecks {
    private KvRequestChecks() {
    }

    public static void checkRange(final RangeRequest request) {
        if (request.getKey().isEmpty()) {
            throw new EtcdException(EtcdError.EMPTY_KEY);
        }
    }

    public static void checkPut(final PutRequest request) {
        if (request.getKey().isEmpty()) {
            throw new EtcdException(EtcdError.EMPTY_KEY);
        }
        if (request.getIgnoreValue() && !request.getValue().isEmpty()) {
            throw new EtcdException(EtcdError.VALUE_PROVIDED);
        }
        if (request.getIgnoreLease() && request.getLease() != 0) {
            throw new EtcdException(EtcdError.LEASE_PROVIDED);
        }
    }

    public static void checkDeleteRange(final DeleteRangeRequest request) {
        if (request.getKey().isEmpty()) {
            throw new EtcdException(EtcdError.EMPTY_KEY);
        }
    }

    /**
     * Checks a Txn: at most {@code maxTxnOps} compares and operations per branch (a nested Txn gets
     * what its parent left), no empty keys, no empty operations, and no key written twice in one
     * branch (a put overlapping another put or a delete, at any nesting depth).
     */
    public static void checkTxn(final TxnRequest request, final int maxTxnOps) {
        checkTxnShape(request, maxTxnOps);
        // Shape first: the overlap check is quadratic, so it runs only on bounded input.
        writes(request.getSuccessList());
        writes(request.getFailureList());
    }

    private static void checkTxnShape(final TxnRequest request, final int maxTxnOps) {
        final int opCount = Math.max(request.getCompareCount(),
            Math.max(request.getSuccessCount(), request.getFailureCount()));
        if (opCount > maxTxnOps) {
            throw new EtcdException(EtcdError.TOO_MANY_OPS);
        }
        for (int i = 0; i < request.getCompareCount(); i++) {
            if (request.getCompare(i).getKey().isEmpty()) {
                throw new EtcdException(EtcdError.EMPTY_KEY);
            }
        }
        for (final RequestOp op : request.getSuccessList()) {
            checkOp(op, maxTxnOps - opCount);
        }
        for (final RequestOp op : request.getFailureList()) {
            checkOp(op, maxTxnOps - opCount);
        }
    }

    private static void checkOp(final RequestOp op, final int maxTxnOps) {
        switch (op.getRequestCase()) {
            case REQUEST_RANGE -> checkRange(op.getRequestRange());
            case REQUEST_PUT -> checkPut(op.getRequestPut());
            case REQUEST_DELETE_RANGE -> checkDeleteRange(op.getRequestDeleteRange());
            case REQUEST_TXN -> checkTxnShape(op.getRequestTxn(), maxTxnOps);
            case REQUEST_NOT_SET -> throw new EtcdException(EtcdError.KEY_NOT_FOUND);
        }
    }

    /** Keys put and ranges deleted by one branch (including nested Txns), as etcd counts them. */
    private record Writes(Set<ByteString> puts, List<KeyInterval> deletes) {
    }

    /**
     * [begin, end) in unsigned byte order; an empty end means no upper bound. A delete with
     * range_end "\0" (all keys from key) becomes [key, "\0"), which contains nothing: etcd's check
     * behaves the same way, and Cairn must refuse exactly what etcd refuses.
     */
    private record KeyInterval(byte[] begin, byte[] end) {
        static KeyInterval point(final ByteString key) {
            final byte[] begin = key.toByteArray();
            return new KeyInterval(begin, Arrays.copyOf(begin, begin.length + 1));
        }

        boolean contains(final byte[] key) {
            return Arrays.compareUnsigned(begin, key) <= 0 && (end.length == 0 || Arrays.compareUnsigned(key, end) < 0);
        }
    }

    private static Writes writes(final List<RequestOp> ops) {
        final List<KeyInterval> deletes = new ArrayList<>();
        for (final RequestOp op : ops) {
            if (op.hasRequestDeleteRange()) {
                final DeleteRangeRequest delete = op.getRequestDeleteRange();
                deletes.add(delete.getRangeEnd().isEmpty()
                    ? KeyInterval.point(delete.getKey())
                    : new KeyInterval(delete.getKey().toByteArray(), delete.getRangeEnd().toByteArray()));
            }
        }
        final Set<ByteString> puts = new HashSet<>();
        for (final RequestOp op : ops) {
            if (!op.hasRequestTxn()) {
                continue;
            }
            final Writes success = writes(op.getRequestTxn().getSuccessList());
            final Writes failure = writes(op.getRequestTxn().getFailureList());
            for (final ByteString key : success.puts) {
                if (puts.contains(key) || deleted(deletes, key)) {
                    throw new EtcdException(EtcdError.DUPLICATE_KEY);
                }
                puts.add(key);
            }
            for (final ByteString key : failure.puts) {
                // The two branches of one Txn never both run: the same key in both is fine.
                if ((puts.contains(key) && !success.puts.contains(key)) || deleted(deletes, key)) {
                    throw new EtcdException(EtcdError.DUPLICATE_KEY);
                }
                puts.add(key);
            }
            // Later nested Txns are checked against the deletes of earlier ones, not the reverse:
            // etcd's order, kept so that both refuse the same requests.
            deletes.addAll(success.deletes);
            deletes.addAll(failure.deletes);
        }
        for (final RequestOp op : ops) {
            if (!op.hasRequestPut()) {
                continue;
            }
            final ByteString key = op.getRequestPut().getKey();
            if (puts.contains(key) || deleted(deletes, key)) {
                throw new EtcdException(EtcdError.DUPLICATE_KEY);
            }
            puts.add(key);
        }
        return new Writes(puts, deletes);
    }

    private static boolean deleted(final List<KeyInterval> deletes, final ByteString key) {
        final byte[] bytes = key.toByteArray();
        for (final KeyInterval delete : deletes) {
            if (delete.contains(bytes)) {
                return true;
            }
        }
        return false;
    }
}
