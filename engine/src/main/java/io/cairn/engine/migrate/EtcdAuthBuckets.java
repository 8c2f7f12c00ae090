package io.cairn.engine.migrate;

import com.google.protobuf.InvalidProtocolBufferException;
import io.cairn.engine.auth.AuthState;
import io.cairn.engine.auth.AuthTable;
import io.cairn.engine.auth.Permission;
import io.cairn.engine.auth.Role;
import io.cairn.engine.auth.User;
import io.cairn.engine.backend.Bucket;
import io.cairn.engine.migrate.bolt.BoltBucket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * etcd's auth store (`auth`: the enabled flag and auth revision; `authUsers`, `authRoles`: authpb
 * messages) converted into Cairn's ({@link AuthTable}): the same users with the same bcrypt hashes
 * (etcd's "$2a$" hashes are read by Cairn's bcrypt as they are), roles, permissions, enabled flag
 * and auth revision, so clients log in and are refused exactly as before the migration. The raw
 * buckets are also copied into {@code ETCD_AUTH*}, byte for byte, as a record of what etcd held.
 */
final class EtcdAuthBuckets {
    static final String AUTH = "auth";
    static final String USERS = "authUsers";
    static final String ROLES = "authRoles";
    private static final byte[] ENABLED_KEY = "authEnabled".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REVISION_KEY = "authRevision".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ENABLED = {1};

    private EtcdAuthBuckets() {
    }

    /** etcd's auth store as Cairn's; any bucket may be null (etcd never wrote it). */
    static AuthState convert(final Path file, final BoltBucket auth, final BoltBucket users, final BoltBucket roles)
        throws IOException {
        final boolean[] enabled = new boolean[1];
        final long[] revision = {0};
        if (auth != null) {
            auth.forEach(entry -> {
                if (Arrays.equals(entry.key(), ENABLED_KEY)) {
                    enabled[0] = Arrays.equals(entry.value(), ENABLED);
                } else if (Arrays.equals(entry.key(), REVISION_KEY) && entry.value().length == Long.BYTES) {
                    revision[0] = ByteBuffer.wrap(entry.value()).getLong();
                }
            });
        }
        final List<User> userList = new ArrayList<>();
        if (users != null) {
            users.forEach(entry -> userList.add(user(file, entry.value())));
        }
        final List<Role> roleList = new ArrayList<>();
        if (roles != null) {
            roles.forEach(entry -> roleList.add(role(file, entry.value())));
        }
        return AuthState.of(enabled[0], Math.max(1, revision[0]), userList, roleList);
    }

    private static User user(final Path file, final byte[] value) {
        final io.cairn.etcd.api.authpb.User user;
        try {
            user = io.cairn.etcd.api.authpb.User.parseFrom(value);
        } catch (final InvalidProtocolBufferException e) {
            throw new EtcdSnapshotException(file, "a user in authUsers is not an authpb.User: " + e.getMessage());
        }
        final String hash = user.getPassword().toString(StandardCharsets.US_ASCII);
        final boolean noPassword = user.hasOptions() && user.getOptions().getNoPassword();
        if (!noPassword && !hash.startsWith("$2")) {
            throw new EtcdSnapshotException(file, "user " + user.getName().toStringUtf8() + " has no bcrypt hash");
        }
        return new User(user.getName().toStringUtf8(), noPassword ? "" : hash, noPassword, user.getRolesList());
    }

    private static Role role(final Path file, final byte[] value) {
        final io.cairn.etcd.api.authpb.Role role;
        try {
            role = io.cairn.etcd.api.authpb.Role.parseFrom(value);
        } catch (final InvalidProtocolBufferException e) {
            throw new EtcdSnapshotException(file, "a role in authRoles is not an authpb.Role: " + e.getMessage());
        }
        final List<Permission> permissions = new ArrayList<>();
        for (final io.cairn.etcd.api.authpb.Permission p : role.getKeyPermissionList()) {
            permissions.add(new Permission(Permission.Type.ofCode(p.getPermTypeValue()), p.getKey().toByteArray(),
                p.getRangeEnd().toByteArray()));
        }
        return new Role(role.getName().toStringUtf8(), permissions);
    }

    /** Copies {@code source} (may be null) into {@code target}; returns how many entries it held. */
    static long copy(final Path file, final BoltBucket source, final Bucket target, final TreeBatches tree)
        throws IOException {
        if (source == null) {
            return 0;
        }
        final long[] copied = new long[1];
        source.forEach(entry -> {
            if (entry.nestedBucket()) {
                throw new EtcdSnapshotException(file, "bucket " + source.name() + " holds a nested bucket");
            }
            tree.writer().put(target, entry.key(), entry.value());
            copied[0]++;
        });
        return copied[0];
    }
}
