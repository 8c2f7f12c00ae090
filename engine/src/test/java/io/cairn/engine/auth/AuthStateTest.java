package io.cairn.engine.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.backend.InMemoryBackend;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The auth store's changes, refusals and revision steps as etcd 3.4's authStore makes them; the
 * backend form reads back the same; the applier publishes a batch only when it commits.
 */
class AuthStateTest {
    private static final AuthInfo NOBODY = AuthInfo.NONE;

    @Test
    void enableNeedsARootUserWithTheRootRoleAndKeepsTheRevision() {
        AuthState state = AuthState.empty();
        assertRefused(EtcdError.ROOT_USER_NOT_EXIST, state::enable);
        state = state.addUser(user("root"));
        final AuthState withoutRole = state;
        assertRefused(EtcdError.ROOT_ROLE_NOT_EXIST, withoutRole::enable);
        state = state.grantRole("root", "root"); // no role named root is needed, as in etcd
        final AuthState enabled = state.enable();
        assertTrue(enabled.enabled());
        assertEquals(state.revision(), enabled.revision());
        assertSame(enabled, enabled.enable());
        assertEquals(enabled.revision() + 1, enabled.disable().revision());
    }

    @Test
    void changesAreRefusedWithEtcdsErrors() {
        final AuthState state = rootEnabled().addUser(user("alice")).addRole("r");
        assertRefused(EtcdError.USER_EMPTY, () -> state.addUser(user("")));
        assertRefused(EtcdError.USER_ALREADY_EXISTS, () -> state.addUser(user("alice")));
        assertRefused(EtcdError.USER_NOT_FOUND, () -> state.deleteUser("bob"));
        assertRefused(EtcdError.INVALID_AUTH_MANAGEMENT, () -> state.deleteUser("root"));
        assertRefused(EtcdError.INVALID_AUTH_MANAGEMENT, () -> state.revokeRole("root", "root"));
        assertRefused(EtcdError.INVALID_AUTH_MANAGEMENT, () -> state.deleteRole("root"));
        assertRefused(EtcdError.ROLE_NOT_FOUND, () -> state.grantRole("alice", "nope"));
        assertRefused(EtcdError.ROLE_NOT_GRANTED, () -> state.revokeRole("alice", "r"));
        assertRefused(EtcdError.ROLE_EMPTY, () -> state.addRole(""));
        assertRefused(EtcdError.ROLE_ALREADY_EXISTS, () -> state.addRole("r"));
        assertRefused(EtcdError.PERMISSION_NOT_GRANTED, () -> state.revokePermission("r", bytes("a"), new byte[0]));
        assertRefused(EtcdError.USER_NOT_FOUND, () -> state.changePassword("bob", "x"));
    }

    @Test
    void eachChangeStepsTheRevisionOnceAndRepeatedGrantsChangeNothing() {
        final AuthState state = AuthState.empty().addRole("r").addUser(user("alice"));
        final AuthState granted = state.grantRole("alice", "r");
        assertEquals(state.revision() + 1, granted.revision());
        assertSame(granted, granted.grantRole("alice", "r"));
        final AuthState withPermission = granted.grantPermission("r", permission(Permission.Type.READ, "a", "b"));
        final AuthState updated = withPermission.grantPermission("r", permission(Permission.Type.WRITE, "a", "b"));
        assertEquals(List.of(permission(Permission.Type.WRITE, "a", "b")), updated.role("r").permissions());
        final AuthState deleted = updated.deleteRole("r");
        assertEquals(List.of(), deleted.user("alice").roles()); // a deleted role leaves its users
    }

    @Test
    void theBackendFormReadsBackTheSame() {
        final InMemoryBackend backend = new InMemoryBackend();
        AuthState state = AuthState.empty();
        final List<AuthOp> ops = List.of(new AuthOp.UserAdd("root", "$2a$04$hash", false),
            new AuthOp.UserGrantRole("root", "root"), new AuthOp.RoleAdd("r"), new AuthOp.UserAdd("ω", "", true),
            new AuthOp.RoleGrantPermission("r", permission(Permission.Type.READWRITE, "k", "\0")),
            new AuthOp.UserGrantRole("ω", "r"), new AuthOp.Enable(), new AuthOp.RoleAdd("gone"),
            new AuthOp.RoleDelete("gone"));
        for (final AuthOp op : ops) {
            final AuthState next = op.applyTo(state);
            AuthTable.write(backend, state, next);
            state = next;
            final AuthState read = AuthTable.load(backend);
            assertEquals(state.enabled(), read.enabled(), op.toString());
            assertEquals(state.revision(), read.revision(), op.toString());
            assertEquals(state.users(), read.users(), op.toString());
            assertEquals(state.roles(), read.roles(), op.toString());
        }
    }

    @Test
    void aBatchIsSeenOnlyOnceCommittedAndARolledBackOneLeavesNothing() {
        final List<AuthEvent> heard = new ArrayList<>();
        final AuthApplier applier = new AuthApplier(rootEnabled());
        applier.onEvent(heard::add);
        final AuthInfo root = new AuthInfo("root", applier.committed().revision());
        final InMemoryBackend backend = new InMemoryBackend();
        applier.apply(backend, root, new AuthOp.UserAdd("alice", "$2a$04$x", false));
        applier.apply(backend, root, new AuthOp.UserDelete("alice"));
        assertFalse(applier.committed().users().containsKey("alice"));
        applier.rollbackBatch();
        assertEquals(List.of(), heard);
        assertEquals(rootEnabled().revision(), applier.current().revision());

        applier.apply(backend, root, new AuthOp.UserAdd("alice", "$2a$04$x", false));
        applier.apply(backend, root, new AuthOp.UserDelete("alice"));
        applier.commitBatch();
        assertEquals(List.of(new AuthEvent.UserTokensRevoked("alice")), heard);
        assertEquals(rootEnabled().revision() + 2, applier.committed().revision());
    }

    @Test
    void onlyRootMayChangeTheStoreOnceAuthIsOn() {
        final AuthApplier applier = new AuthApplier(rootEnabled().addUser(user("alice")));
        final InMemoryBackend backend = new InMemoryBackend();
        assertRefused(EtcdError.USER_EMPTY, () -> applier.apply(backend, NOBODY, new AuthOp.RoleAdd("r")));
        assertRefused(EtcdError.USER_NOT_FOUND, () -> applier.apply(backend, new AuthInfo("bob", 9),
            new AuthOp.RoleAdd("r")));
        assertRefused(EtcdError.PERMISSION_DENIED, () -> applier.apply(backend, new AuthInfo("alice", 9),
            new AuthOp.RoleAdd("r")));
        assertFalse(applier.current().roles().containsKey("r"));
    }

    @Test
    void authenticateIsRefusedWhileAuthIsOffAndForUsersWithoutPassword() {
        assertRefused(EtcdError.AUTH_NOT_ENABLED, () -> new AuthApplier(AuthState.empty()).authenticate("root", "p", 1));
        final AuthApplier applier = new AuthApplier(rootEnabled().addUser(new User("np", "", true, List.of())));
        assertRefused(EtcdError.AUTH_FAILED, () -> applier.authenticate("np", "p", 1));
        assertRefused(EtcdError.AUTH_FAILED, () -> applier.authenticate("nobody", "p", 1));
        assertEquals("root", applier.authenticate("root", "p", 7).username());
    }

    static AuthState rootEnabled() {
        return AuthState.empty().addUser(user("root")).grantRole("root", "root").enable();
    }

    private static User user(final String name) {
        return new User(name, "$2a$04$notarealhash", false, List.of());
    }

    static Permission permission(final Permission.Type type, final String key, final String rangeEnd) {
        return new Permission(type, bytes(key), bytes(rangeEnd));
    }

    static byte[] bytes(final String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void assertRefused(final EtcdError expected, final Executable change) {
        assertEquals(expected, assertThrows(EtcdException.class, change).error());
    }
}
