package io.cairn.engine.auth;

/**
 * One change to the auth store, as a log entry carries it. Passwords arrive hashed: the member that
 * takes the request hashes it, so no log or snapshot holds a clear-text password and every member
 * stores the same hash.
 */
public sealed interface AuthOp {
    /** The state after this change; throws EtcdException (nothing changed) when etcd refuses it. */
    AuthState applyTo(AuthState state);

    record Enable() implements AuthOp {
        @Override
        public AuthState applyTo(final AuthState state) {
            return state.enable();
        }
    }

    record Disable() implements AuthOp {
        @Override
        public AuthState applyTo(final AuthState state) {
            return state.disable();
        }
    }

    /** {@code passwordHash} is empty for a user added with no password. */
    record UserAdd(String name, String passwordHash, boolean noPassword) implements AuthOp {
        @Override
        public AuthState applyTo(final AuthState state) {
            return state.addUser(new User(name, passwordHash, noPassword, java.util.List.of()));
        }

        @Override
        public String toString() {
            return "UserAdd[" + name + "]";
        }
    }

    record UserDelete(String name) implements AuthOp {
        @Override
        public AuthState applyTo(final AuthState state) {
            return state.deleteUser(name);
        }
    }

    record UserChangePassword(String name, String passwordHash) implements AuthOp {
        @Override
        public AuthState applyTo(final AuthState state) {
            return state.changePassword(name, passwordHash);
        }

        @Override
        public String toString() {
            return "UserChangePassword[" + name + "]";
        }
    }

    record UserGrantRole(String user, String role) implements AuthOp {
        @Override
        public AuthState applyTo(final AuthState state) {
            return state.grantRole(user, role);
        }
    }

    record UserRevokeRole(String user, String role) implements AuthOp {
        @Override
        public AuthState applyTo(final AuthState state) {
            return state.revokeRole(user, role);
        }
    }

    record RoleAdd(String name) implements AuthOp {
        @Override
        public AuthState applyTo(final AuthState state) {
            return state.addRole(name);
        }
    }

    record RoleDelete(String name) implements AuthOp {
        @Override
        public AuthState applyTo(final AuthState state) {
            return state.deleteRole(name);
        }
    }

    record RoleGrantPermission(String role, Permission permission) implements AuthOp {
        @Override
        public AuthState applyTo(final AuthState state) {
            return state.grantPermission(role, permission);
        }
    }

    record RoleRevokePermission(String role, byte[] key, byte[] rangeEnd) implements AuthOp {
        @Override
        public AuthState applyTo(final AuthState state) {
            return state.revokePermission(role, key, rangeEnd);
        }
    }

    /** Whether the user's tokens stop working once this is applied (etcd's invalidateUser). */
    default String invalidatesTokensOf() {
        return switch (this) {
            case UserDelete delete -> delete.name();
            case UserChangePassword change -> change.name();
            default -> null;
        };
    }
}
