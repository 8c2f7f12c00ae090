package io.cairn.engine.server;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.auth.AuthInfo;
import io.cairn.engine.auth.Permissions;
import io.cairn.engine.node.KeyValueStore;
import io.cairn.etcd.api.etcdserverpb.WatchCreateRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The permission checks etcd makes in its API layer rather than in its applier: watch creates,
 * maintenance and membership calls (root only), and the recipes the lock and election services run
 * inside the server (which in etcd run as the calling user through an in-process client). Call on
 * the thread that took the call (see {@link Callers#current}).
 */
final class AccessChecks implements WatchService.WatchPermissions {
    private final KeyValueStore store;
    private final Callers callers;

    AccessChecks(final KeyValueStore store, final Callers callers) {
        this.store = store;
        this.callers = callers;
    }

    AuthInfo caller() {
        return callers.current();
    }

    /**
     * etcd's authMaintenanceServer check (Defragment, Snapshot, Hash, HashKV): root only, once auth is
     * on. etcd hands its auth store's own error to gRPC there, so the client sees code UNKNOWN and the
     * auth package's text ("auth: permission denied"), not the API's.
     */
    void checkMaintenanceAdmin() {
        try {
            Permissions.checkAdmin(store.auth(), callers.current());
        } catch (final EtcdException refused) {
            throw unconverted(refused.error());
        }
    }

    /** The caller, refusing an invalid token as etcd's maintenance server does (see above). */
    void checkMaintenanceToken() {
        try {
            callers.current();
        } catch (final EtcdException refused) {
            throw unconverted(refused.error());
        }
    }

    /** An auth store error as etcd passes it through unconverted: code UNKNOWN, the auth package's text. */
    private static StatusRuntimeException unconverted(final EtcdError error) {
        final String text = switch (error) {
            case USER_EMPTY -> "auth: user name is empty";
            case USER_NOT_FOUND -> "auth: user not found";
            case PERMISSION_DENIED -> "auth: permission denied";
            case INVALID_AUTH_TOKEN -> "auth: invalid auth token";
            default -> error.message();
        };
        return Status.UNKNOWN.withDescription(text).asRuntimeException();
    }

    /**
     * etcd's isWatchPermitted: read on the watched keys. A range end of "\0" (every key from the key
     * on) is checked as the one key, as etcd 3.4 checks it.
     */
    @Override
    public String refusal(final WatchCreateRequest create) {
        try {
            final byte[] rangeEnd = create.getRangeEnd().toByteArray();
            Permissions.checkRange(store.auth(), callers.current(), create.getKey().toByteArray(),
                rangeEnd.length == 1 && rangeEnd[0] == 0 ? new byte[0] : rangeEnd);
            return null;
        } catch (final EtcdException refused) {
            // etcd's cancel reason is the Go text of its gRPC error: "rpc error: code = ... desc = ...".
            final EtcdError error = switch (refused.error()) {
                case INVALID_AUTH_TOKEN, AUTH_OLD_REVISION, USER_EMPTY -> refused.error();
                default -> EtcdError.PERMISSION_DENIED;
            };
            return "rpc error: code = " + GrpcErrors.goCodeName(error) + " desc = " + error.message();
        }
    }

    /**
     * A lock or election recipe's Txn as etcd's in-process client would send it for {@code caller}:
     * read on {@code key} (its compare) and on the whole {@code prefix} (who holds it), write on {@code key}.
     */
    void checkRecipe(final AuthInfo caller, final byte[] prefix, final byte[] key) {
        Permissions.checkRange(store.auth(), caller, key, new byte[0]);
        Permissions.checkPut(store.auth(), caller, key);
        Permissions.checkRange(store.auth(), caller, prefix, PrefixRange.of(prefix).rangeEnd());
    }

    /** Read on every key under {@code prefix} (an election's Leader and Observe). */
    void checkRead(final AuthInfo caller, final byte[] prefix) {
        Permissions.checkRange(store.auth(), caller, prefix, PrefixRange.of(prefix).rangeEnd());
    }

    /** etcd's LeaseRevoke check: the caller may write every key attached to the lease. */
    void checkLeaseRevoke(final AuthInfo caller, final long leaseId) {
        if (!store.auth().enabled()) {
            return;
        }
        for (final byte[] key : store.leaseKeys(leaseId)) {
            Permissions.checkPut(store.auth(), caller, key);
        }
    }
}
