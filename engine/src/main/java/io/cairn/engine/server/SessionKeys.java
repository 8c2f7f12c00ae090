package io.cairn.engine.server;

import io.cairn.engine.node.KeyValueStore;
import io.cairn.engine.auth.AuthInfo;
import io.cairn.engine.mvcc.Compare;
import io.cairn.engine.mvcc.KeyRange;
import io.cairn.engine.mvcc.OpResult;
import io.cairn.engine.mvcc.RangeQuery;
import io.cairn.engine.mvcc.TxnOp;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What etcd's lock and election recipes share: a session on a lease (granted with the recipe's
 * 60 s TTL when the request names none), and a key per session under the recipe's prefix,
 * created once ("create revision = 0") and owned by whoever holds the oldest key.
 */
final class SessionKeys {
    /** concurrency.NewSession's default TTL for a lease it grants itself. */
    static final long SESSION_TTL_SECONDS = 60;

    private final KeyValueStore store;

    SessionKeys(final KeyValueStore store) {
        this.store = store;
    }

    /** The request's lease, renewed once as a session start does, or a new one if it named none. */
    CompletableFuture<Long> session(final long lease) {
        if (lease == 0) {
            return store.leaseGrant(0, SESSION_TTL_SECONDS).thenApply(granted -> granted.id());
        }
        // A session start renews its lease once; a lease already gone is refused by the recipe's
        // own write, with etcd's error, so the renewal's outcome is not waited for.
        store.leaseRenew(lease);
        return CompletableFuture.completedFuture(lease);
    }

    /** The recipe's key prefix: the lock or election name and a slash. */
    static byte[] prefix(final byte[] name) {
        final byte[] prefix = Arrays.copyOf(name, name.length + 1);
        prefix[name.length] = '/';
        return prefix;
    }

    /** The oldest key under {@code prefix}: the lock holder or the leader (clientv3's WithFirstCreate). */
    static RangeQuery oldestUnder(final byte[] prefix) {
        return new RangeQuery(PrefixRange.of(prefix), 1, 0, RangeQuery.SortOrder.ASCEND, RangeQuery.SortTarget.CREATE,
            false, false, 0, 0, 0, 0);
    }

    /** {@code prefix} + the lease id in lower-case hex, as concurrency's Mutex and Election name keys. */
    static byte[] sessionKey(final byte[] prefix, final long lease) {
        final byte[] hex = Long.toHexString(lease).getBytes(StandardCharsets.US_ASCII);
        final byte[] key = Arrays.copyOf(prefix, prefix.length + hex.length);
        System.arraycopy(hex, 0, key, prefix.length, hex.length);
        return key;
    }

    /**
     * If {@code key} does not exist, puts it with {@code value} on the lease; otherwise reads it.
     * Either way also reads the oldest key under the prefix. Responses: [put or get, owner get].
     */
    CompletableFuture<OpResult.Txn> createOrGet(final byte[] prefix, final byte[] key, final byte[] value,
        final long lease, final AuthInfo caller) {
        final KeyRange own = KeyRange.of(key, new byte[0]);
        final TxnOp owner = new TxnOp.Range(oldestUnder(prefix));
        return store.txn(new TxnOp.Txn(
            List.of(new Compare(own, Compare.Target.CREATE, Compare.Result.EQUAL, 0, new byte[0])),
            List.of(new TxnOp.Put(key, value, lease, false, false, false), owner),
            List.of(new TxnOp.Range(RangeQuery.of(own)), owner)), caller);
    }

    /** The revision the session's key was created at, from {@link #createOrGet}'s outcome. */
    static long createRevision(final OpResult.Txn created) {
        if (created.succeeded()) {
            return created.revision();
        }
        return ((OpResult.Range)created.responses().getFirst()).result().kvs().getFirst().createRevision();
    }

    /** The oldest key under the prefix, from {@link #createOrGet}'s outcome, or null. */
    static io.cairn.engine.mvcc.KeyValue owner(final OpResult.Txn created) {
        final List<io.cairn.engine.mvcc.KeyValue> kvs = ((OpResult.Range)created.responses().get(1)).result().kvs();
        return kvs.isEmpty() ? null : kvs.getFirst();
    }
}
