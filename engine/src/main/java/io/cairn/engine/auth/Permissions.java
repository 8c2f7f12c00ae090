package io.cairn.engine.auth;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.mvcc.Compare;
import io.cairn.engine.mvcc.KeyRange;
import io.cairn.engine.mvcc.TxnOp;

/**
 * etcd 3.4's permission checks (authStore.isOpPermitted and the applier's checks of Put, DeleteRange
 * and Txn), in etcd's order, so each refusal is the one etcd gives: no user, then a stale auth
 * revision, then an unknown user, then root (everything), then the user's merged key permissions.
 * Every check passes while auth is off.
 */
public final class Permissions {
    private Permissions() {
    }

    /** Reading [key, rangeEnd) (rangeEnd empty: the one key). */
    public static void checkRange(final AuthState state, final AuthInfo caller, final byte[] key, final byte[] rangeEnd) {
        check(state, caller, key, rangeEnd, false);
    }

    /** Writing one key. */
    public static void checkPut(final AuthState state, final AuthInfo caller, final byte[] key) {
        check(state, caller, key, new byte[0], true);
    }

    /** Deleting [key, rangeEnd). */
    public static void checkDelete(final AuthState state, final AuthInfo caller, final byte[] key, final byte[] rangeEnd) {
        check(state, caller, key, rangeEnd, true);
    }

    /** A Put as etcd's applier checks it: the key, the lease's keys (see {@code leaseKeys}), and prevKv's read. */
    public static void checkPut(final AuthState state, final AuthInfo caller, final TxnOp.Put put,
        final Iterable<byte[]> leaseKeys) {
        checkPut(state, caller, put.key());
        // A user who could not revoke the lease (a key on it is not theirs to write) may not attach to it.
        for (final byte[] key : leaseKeys) {
            checkPut(state, caller, key);
        }
        if (put.prevKv()) {
            checkRange(state, caller, put.key(), new byte[0]);
        }
    }

    /** A DeleteRange as etcd's applier checks it: write, then read when it returns the previous values. */
    public static void checkDeleteRange(final AuthState state, final AuthInfo caller, final TxnOp.DeleteRange delete) {
        final KeyRange range = delete.range();
        checkDelete(state, caller, range.key(), range.rangeEnd());
        if (delete.prevKv()) {
            checkRange(state, caller, range.key(), range.rangeEnd());
        }
    }

    /**
     * A Txn as etcd checks it (checkTxnAuth): read on every compare, then the success operations,
     * then the failure ones. Unlike etcd 3.4, whose check skips nested Txns (so a nested Txn
     * reads and writes any key: later etcd releases closed that hole), nested Txns are checked the
     * same way, to the bottom.
     */
    public static void checkTxn(final AuthState state, final AuthInfo caller, final TxnOp.Txn txn) {
        if (!state.enabled()) {
            return;
        }
        for (final Compare compare : txn.compares()) {
            checkRange(state, caller, compare.range().key(), compare.range().rangeEnd());
        }
        checkOps(state, caller, txn.success());
        checkOps(state, caller, txn.failure());
    }

    private static void checkOps(final AuthState state, final AuthInfo caller, final Iterable<TxnOp> ops) {
        for (final TxnOp op : ops) {
            switch (op) {
                case TxnOp.Range range ->
                    checkRange(state, caller, range.query().range().key(), range.query().range().rangeEnd());
                case TxnOp.Put put -> checkPut(state, caller, put.key());
                case TxnOp.DeleteRange delete -> {
                    final KeyRange range = delete.range();
                    if (delete.prevKv()) {
                        checkRange(state, caller, range.key(), range.rangeEnd());
                    }
                    checkDelete(state, caller, range.key(), range.rangeEnd());
                }
                case TxnOp.Txn nested -> checkTxn(state, caller, nested);
            }
        }
    }

    /** Only a user with the root role (etcd's IsAdminPermitted; no revision check there). */
    public static void checkAdmin(final AuthState state, final AuthInfo caller) {
        if (!state.enabled()) {
            return;
        }
        if (caller == null || caller.username().isEmpty()) {
            throw new EtcdException(EtcdError.USER_EMPTY);
        }
        final User user = state.users().get(caller.username());
        if (user == null) {
            throw new EtcdException(EtcdError.USER_NOT_FOUND);
        }
        if (!user.hasRole(AuthState.ROOT)) {
            throw new EtcdException(EtcdError.PERMISSION_DENIED);
        }
    }

    /** Whether the caller may act as an admin; false (never throws) when it may not. */
    public static boolean isAdmin(final AuthState state, final AuthInfo caller) {
        try {
            checkAdmin(state, caller);
            return true;
        } catch (final EtcdException e) {
            return false;
        }
    }

    private static void check(final AuthState state, final AuthInfo caller, final byte[] key, final byte[] rangeEnd,
        final boolean write) {
        if (!state.enabled()) {
            return;
        }
        if (caller == null || caller.revision() == 0) {
            throw new EtcdException(EtcdError.USER_EMPTY);
        }
        if (caller.revision() < state.revision()) {
            throw new EtcdException(EtcdError.AUTH_OLD_REVISION);
        }
        final User user = state.users().get(caller.username());
        if (user == null) {
            throw new EtcdException(EtcdError.PERMISSION_DENIED);
        }
        if (user.hasRole(AuthState.ROOT)) {
            return;
        }
        final AuthState.UserPermissions permissions = state.permissions(user);
        final KeyIntervals intervals = write ? permissions.write() : permissions.read();
        final boolean permitted = rangeEnd.length == 0 ? intervals.containsKey(key) : intervals.coversRange(key, rangeEnd);
        if (!permitted) {
            throw new EtcdException(EtcdError.PERMISSION_DENIED);
        }
    }
}
