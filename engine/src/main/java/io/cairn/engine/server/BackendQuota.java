package io.cairn.engine.server;

import io.cairn.engine.config.ServerConfig;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.RequestOp;
import io.cairn.etcd.api.etcdserverpb.TxnRequest;

/**
 * etcd's backend quota: a write is refused when the backend's size plus the write's estimated
 * cost would reach --quota-backend-bytes. The estimate is etcd's (key + value + 256 bytes of
 * metadata per put; a Txn costs its more expensive branch), so both refuse at the same request.
 */
public final class BackendQuota {
    private static final int KV_OVERHEAD_BYTES = 256;

    private final long quotaBytes;

    public BackendQuota(final long quotaBytes) {
        this.quotaBytes = quotaBytes;
    }

    public boolean allows(final long backendSizeBytes, final long costBytes) {
        return quotaBytes == ServerConfig.QUOTA_DISABLED || costBytes == 0
            || backendSizeBytes + costBytes < quotaBytes;
    }

    public static long cost(final PutRequest put) {
        return KV_OVERHEAD_BYTES + put.getKey().size() + put.getValue().size();
    }

    /** Only a Txn's top-level puts count, as in etcd. */
    public static long cost(final TxnRequest txn) {
        return Math.max(branchCost(txn.getSuccessList()), branchCost(txn.getFailureList()));
    }

    private static long branchCost(final java.util.List<RequestOp> ops) {
        long cost = 0;
        for (final RequestOp op : ops) {
            if (op.hasRequestPut()) {
                cost += cost(op.getRequestPut());
            }
        }
        return cost;
    }
}
