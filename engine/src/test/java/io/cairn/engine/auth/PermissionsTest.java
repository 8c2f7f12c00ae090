package io.cairn.engine.auth;

import static io.cairn.engine.auth.AuthStateTest.bytes;
import static io.cairn.engine.auth.AuthStateTest.permission;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.mvcc.KeyRange;
import io.cairn.engine.mvcc.RangeQuery;
import io.cairn.engine.mvcc.TxnOp;
import java.util.List;
import org.junit.jupiter.api.Test;

/** etcd's permission checks: their order of refusals, point and range coverage, open ends, nested Txns. */
class PermissionsTest {
    private static final AuthState STATE = AuthStateTest.rootEnabled()
        .addRole("ab").grantPermission("ab", permission(Permission.Type.READ, "a", "b"))
        .addRole("bc").grantPermission("bc", permission(Permission.Type.READ, "b", "c"))
        .addRole("e").grantPermission("e", permission(Permission.Type.WRITE, "e", ""))
        .addRole("from-m").grantPermission("from-m", permission(Permission.Type.READWRITE, "m", "\0"))
        .addUser(new User("alice", "", false, List.of())).grantRole("alice", "ab").grantRole("alice", "bc")
        .grantRole("alice", "e").grantRole("alice", "from-m");
    private static final AuthInfo ALICE = new AuthInfo("alice", STATE.revision());

    @Test
    void refusalsComeInEtcdsOrder() {
        assertRefused(EtcdError.USER_EMPTY, () -> Permissions.checkRange(STATE, AuthInfo.NONE, bytes("a"), new byte[0]));
        assertRefused(EtcdError.AUTH_OLD_REVISION, () -> Permissions.checkRange(STATE,
            new AuthInfo("nobody", STATE.revision() - 1), bytes("a"), new byte[0]));
        assertRefused(EtcdError.PERMISSION_DENIED, () -> Permissions.checkRange(STATE,
            new AuthInfo("nobody", STATE.revision()), bytes("a"), new byte[0]));
        assertDoesNotThrow(() -> Permissions.checkRange(STATE, new AuthInfo("root", STATE.revision()), bytes("q"),
            bytes("\0")));
    }

    @Test
    void rangesMustBeCoveredWithoutAGap() {
        assertDoesNotThrow(() -> Permissions.checkRange(STATE, ALICE, bytes("a"), bytes("c"))); // [a,b) + [b,c)
        assertRefused(EtcdError.PERMISSION_DENIED, () -> Permissions.checkRange(STATE, ALICE, bytes("a"), bytes("d")));
        // [a,c) and [m,...) are read, [c,m) is not: a range over the gap is refused
        assertRefused(EtcdError.PERMISSION_DENIED, () -> Permissions.checkRange(STATE, ALICE, bytes("a"), bytes("n")));
        assertDoesNotThrow(() -> Permissions.checkRange(STATE, ALICE, bytes("a9"), new byte[0]));
        assertRefused(EtcdError.PERMISSION_DENIED, () -> Permissions.checkRange(STATE, ALICE, bytes("c"), new byte[0]));
        assertDoesNotThrow(() -> Permissions.checkRange(STATE, ALICE, bytes("m"), bytes("\0"))); // open end
        assertDoesNotThrow(() -> Permissions.checkRange(STATE, ALICE, bytes("zz"), bytes("\0")));
        assertRefused(EtcdError.PERMISSION_DENIED, () -> Permissions.checkRange(STATE, ALICE, bytes("l"), bytes("\0")));
    }

    @Test
    void aSingleKeyPermissionCoversThatKeyOnly() {
        assertDoesNotThrow(() -> Permissions.checkPut(STATE, ALICE, bytes("e")));
        assertRefused(EtcdError.PERMISSION_DENIED, () -> Permissions.checkPut(STATE, ALICE, bytes("e0")));
        assertRefused(EtcdError.PERMISSION_DENIED, () -> Permissions.checkRange(STATE, ALICE, bytes("e"), new byte[0]));
    }

    @Test
    void aNestedTxnIsCheckedToTheBottom() {
        final TxnOp.Txn inner = new TxnOp.Txn(List.of(), List.of(new TxnOp.Put(bytes("d"), bytes("v"), 0, false,
            false, false)), List.of());
        final TxnOp.Txn outer = new TxnOp.Txn(List.of(), List.of(
            new TxnOp.Range(RangeQuery.of(KeyRange.of(bytes("a"), new byte[0]))), inner), List.of());
        assertRefused(EtcdError.PERMISSION_DENIED, () -> Permissions.checkTxn(STATE, ALICE, outer));
    }

    @Test
    void everythingPassesWhileAuthIsOff() {
        final AuthState off = STATE.disable();
        assertDoesNotThrow(() -> Permissions.checkPut(off, AuthInfo.NONE, bytes("anything")));
        assertDoesNotThrow(() -> Permissions.checkAdmin(off, AuthInfo.NONE));
    }

    private static void assertRefused(final EtcdError expected, final org.junit.jupiter.api.function.Executable check) {
        assertEquals(expected, assertThrows(EtcdException.class, check).error());
    }
}
