package io.cairn.engine.auth;

import java.util.List;
import java.util.Objects;

/**
 * A user: its bcrypt hash (empty for a user added with --no-password, who cannot authenticate with
 * a password: only a client certificate names it) and its roles, sorted as etcd keeps them.
 */
public record User(String name, String passwordHash, boolean noPassword, List<String> roles) {
    public User {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(passwordHash, "passwordHash");
        roles = roles.stream().sorted().toList();
    }

    public boolean hasRole(final String role) {
        return roles.contains(role);
    }

    User withRoles(final List<String> newRoles) {
        return new User(name, passwordHash, noPassword, newRoles);
    }

    User withPasswordHash(final String hash) {
        return new User(name, hash, noPassword, roles);
    }

    @Override
    public String toString() {
        return "User[" + name + ", roles=" + roles + "]"; // never the hash
    }
}
