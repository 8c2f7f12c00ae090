package io.cairn.engine.auth;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The auth store as of one applied log entry: whether auth is on, its revision, the users and the
 * roles. Immutable: each change (etcd's authStore methods, with its errors and the same revision
 * steps) returns the next state, so readers on gRPC threads use one state without locks while the
 * apply thread builds the next. What a user may touch is merged from its roles on first use.
 */
public final class AuthState {
    public static final String ROOT = "root";
    /** etcd's auth revision starts at 1 when its store is first created. */
    static final long INITIAL_REVISION = 1;

    private final boolean enabled;
    private final long revision;
    private final SortedMap<String, User> users;
    private final SortedMap<String, Role> roles;
    private final Map<String, UserPermissions> permissionsByUser = new ConcurrentHashMap<>();

    /** What one user may read and write, merged from its roles. */
    record UserPermissions(KeyIntervals read, KeyIntervals write) {
    }

    AuthState(final boolean enabled, final long revision, final SortedMap<String, User> users,
        final SortedMap<String, Role> roles) {
        this.enabled = enabled;
        this.revision = revision;
        this.users = Collections.unmodifiableSortedMap(new TreeMap<>(users));
        this.roles = Collections.unmodifiableSortedMap(new TreeMap<>(roles));
    }

    /** A store as another system kept it (an etcd snapshot being migrated). */
    public static AuthState of(final boolean enabled, final long revision, final List<User> users,
        final List<Role> roles) {
        final TreeMap<String, User> userMap = new TreeMap<>();
        users.forEach(user -> userMap.put(user.name(), user));
        final TreeMap<String, Role> roleMap = new TreeMap<>();
        roles.forEach(role -> roleMap.put(role.name(), role));
        return new AuthState(enabled, revision, userMap, roleMap);
    }

    /** A store never written: auth off, revision 1, no users, no roles. */
    public static AuthState empty() {
        return new AuthState(false, INITIAL_REVISION, new TreeMap<>(), new TreeMap<>());
    }

    public boolean enabled() {
        return enabled;
    }

    public long revision() {
        return revision;
    }

    /** Every user, by name. */
    public SortedMap<String, User> users() {
        return users;
    }

    /** Every role, by name. */
    public SortedMap<String, Role> roles() {
        return roles;
    }

    /** The user, or USER_NOT_FOUND. */
    public User user(final String name) {
        final User user = users.get(name);
        if (user == null) {
            throw new EtcdException(EtcdError.USER_NOT_FOUND);
        }
        return user;
    }

    /** The role, or ROLE_NOT_FOUND. */
    public Role role(final String name) {
        final Role role = roles.get(name);
        if (role == null) {
            throw new EtcdException(EtcdError.ROLE_NOT_FOUND);
        }
        return role;
    }

    UserPermissions permissions(final User user) {
        return permissionsByUser.computeIfAbsent(user.name(), name -> {
            final List<Permission> read = new ArrayList<>();
            final List<Permission> write = new ArrayList<>();
            for (final String roleName : user.roles()) {
                final Role role = roles.get(roleName);
                if (role == null) {
                    continue; // "root" may be granted without a role of that name
                }
                for (final Permission permission : role.permissions()) {
                    if (permission.type().grantsRead()) {
                        read.add(permission);
                    }
                    if (permission.type().grantsWrite()) {
                        write.add(permission);
                    }
                }
            }
            return new UserPermissions(KeyIntervals.of(read), KeyIntervals.of(write));
        });
    }

    // Changes, as etcd 3.4's authStore makes them. Each returns the next state (this one if nothing changed).

    AuthState enable() {
        if (enabled) {
            return this;
        }
        final User root = users.get(ROOT);
        if (root == null) {
            throw new EtcdException(EtcdError.ROOT_USER_NOT_EXIST);
        }
        if (!root.hasRole(ROOT)) {
            throw new EtcdException(EtcdError.ROOT_ROLE_NOT_EXIST);
        }
        return new AuthState(true, revision, users, roles); // etcd keeps the revision on enable
    }

    AuthState disable() {
        return enabled ? new AuthState(false, revision + 1, users, roles) : this;
    }

    AuthState addUser(final User user) {
        if (user.name().isEmpty()) {
            throw new EtcdException(EtcdError.USER_EMPTY);
        }
        if (users.containsKey(user.name())) {
            throw new EtcdException(EtcdError.USER_ALREADY_EXISTS);
        }
        return withUser(user);
    }

    AuthState deleteUser(final String name) {
        if (enabled && ROOT.equals(name)) {
            throw new EtcdException(EtcdError.INVALID_AUTH_MANAGEMENT);
        }
        user(name);
        final TreeMap<String, User> next = new TreeMap<>(users);
        next.remove(name);
        return new AuthState(enabled, revision + 1, next, roles);
    }

    AuthState changePassword(final String name, final String passwordHash) {
        return withUser(user(name).withPasswordHash(passwordHash));
    }

    AuthState grantRole(final String userName, final String roleName) {
        final User user = user(userName);
        if (!ROOT.equals(roleName)) {
            role(roleName);
        }
        if (user.hasRole(roleName)) {
            return this; // etcd ignores a second grant, revision unchanged
        }
        final List<String> next = new ArrayList<>(user.roles());
        next.add(roleName);
        return withUser(user.withRoles(next));
    }

    AuthState revokeRole(final String userName, final String roleName) {
        if (enabled && ROOT.equals(userName) && ROOT.equals(roleName)) {
            throw new EtcdException(EtcdError.INVALID_AUTH_MANAGEMENT);
        }
        final User user = user(userName);
        if (!user.hasRole(roleName)) {
            throw new EtcdException(EtcdError.ROLE_NOT_GRANTED);
        }
        final List<String> next = new ArrayList<>(user.roles());
        next.remove(roleName);
        return withUser(user.withRoles(next));
    }

    AuthState addRole(final String name) {
        if (name.isEmpty()) {
            throw new EtcdException(EtcdError.ROLE_EMPTY);
        }
        if (roles.containsKey(name)) {
            throw new EtcdException(EtcdError.ROLE_ALREADY_EXISTS);
        }
        return withRole(new Role(name, List.of()));
    }

    AuthState deleteRole(final String name) {
        if (enabled && ROOT.equals(name)) {
            throw new EtcdException(EtcdError.INVALID_AUTH_MANAGEMENT);
        }
        role(name);
        final TreeMap<String, Role> nextRoles = new TreeMap<>(roles);
        nextRoles.remove(name);
        final TreeMap<String, User> nextUsers = new TreeMap<>(users);
        for (final User user : users.values()) {
            if (user.hasRole(name)) {
                nextUsers.put(user.name(), user.withRoles(user.roles().stream().filter(r -> !r.equals(name)).toList()));
            }
        }
        return new AuthState(enabled, revision + 1, nextUsers, nextRoles);
    }

    AuthState grantPermission(final String roleName, final Permission permission) {
        final Role role = role(roleName);
        final List<Permission> next = new ArrayList<>();
        boolean updated = false;
        for (final Permission existing : role.permissions()) {
            if (!updated && existing.sameRange(permission.key(), permission.rangeEnd())) {
                next.add(permission); // same key and range end: its type is replaced
                updated = true;
            } else {
                next.add(existing);
            }
        }
        if (!updated) {
            next.add(permission);
        }
        return withRole(new Role(roleName, next));
    }

    AuthState revokePermission(final String roleName, final byte[] key, final byte[] rangeEnd) {
        final Role role = role(roleName);
        final List<Permission> next = role.permissions().stream().filter(p -> !p.sameRange(key, rangeEnd)).toList();
        if (next.size() == role.permissions().size()) {
            throw new EtcdException(EtcdError.PERMISSION_NOT_GRANTED);
        }
        return withRole(new Role(roleName, next));
    }

    private AuthState withUser(final User user) {
        final TreeMap<String, User> next = new TreeMap<>(users);
        next.put(user.name(), user);
        return new AuthState(enabled, revision + 1, next, roles);
    }

    private AuthState withRole(final Role role) {
        final TreeMap<String, Role> next = new TreeMap<>(roles);
        next.put(role.name(), role);
        return new AuthState(enabled, revision + 1, users, next);
    }
}
