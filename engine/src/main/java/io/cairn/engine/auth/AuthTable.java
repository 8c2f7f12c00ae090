package io.cairn.engine.auth;

import io.cairn.engine.backend.BackendCursor;
import io.cairn.engine.backend.BackendReader;
import io.cairn.engine.backend.BackendWriter;
import io.cairn.engine.backend.Bucket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The auth store in the backend, written by the apply thread in the same transaction as the entry
 * that changed it.
 * <pre>
 * AUTH        "enabled"  -> 1 byte: 1 on, 0 off
 *             "revision" -> bigendian u64
 * AUTH_USERS  name (UTF-8) -> u8 format (1) | u8 flags (bit 0: no password)
 *                             | u16 hash length | bcrypt hash (ASCII) | u16 role count | (u16 length | role)*
 * AUTH_ROLES  name (UTF-8) -> u8 format (1) | u32 permission count
 *                             | (u8 type code | u32 key length | key | u32 range end length | range end)*
 * </pre>
 */
public final class AuthTable {
    private static final byte[] ENABLED_KEY = "enabled".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REVISION_KEY = "revision".getBytes(StandardCharsets.US_ASCII);
    private static final byte FORMAT = 1;
    private static final int FLAG_NO_PASSWORD = 1;

    private AuthTable() {
    }

    /** The stored state; a backend that never held auth reads as {@link AuthState#empty()}. */
    public static AuthState load(final BackendReader backend) {
        final byte[] enabled = backend.get(Bucket.AUTH, ENABLED_KEY);
        final byte[] revision = backend.get(Bucket.AUTH, REVISION_KEY);
        final TreeMap<String, User> users = new TreeMap<>();
        final BackendCursor userCursor = backend.cursor(Bucket.AUTH_USERS);
        for (boolean ok = userCursor.seek(new byte[0]); ok; ok = userCursor.next()) {
            final User user = decodeUser(new String(userCursor.key(), StandardCharsets.UTF_8), userCursor.value());
            users.put(user.name(), user);
        }
        final TreeMap<String, Role> roles = new TreeMap<>();
        final BackendCursor roleCursor = backend.cursor(Bucket.AUTH_ROLES);
        for (boolean ok = roleCursor.seek(new byte[0]); ok; ok = roleCursor.next()) {
            final Role role = decodeRole(new String(roleCursor.key(), StandardCharsets.UTF_8), roleCursor.value());
            roles.put(role.name(), role);
        }
        return new AuthState(enabled != null && enabled[0] == 1,
            revision == null ? AuthState.INITIAL_REVISION : ByteBuffer.wrap(revision).getLong(), users, roles);
    }

    /** Writes what differs between {@code before} and {@code after}. */
    public static void write(final BackendWriter backend, final AuthState before, final AuthState after) {
        if (before.enabled() != after.enabled() || backend.get(Bucket.AUTH, ENABLED_KEY) == null) {
            backend.put(Bucket.AUTH, ENABLED_KEY, new byte[] {(byte)(after.enabled() ? 1 : 0)});
        }
        if (before.revision() != after.revision() || backend.get(Bucket.AUTH, REVISION_KEY) == null) {
            backend.put(Bucket.AUTH, REVISION_KEY, ByteBuffer.allocate(Long.BYTES).putLong(after.revision()).array());
        }
        writeDiff(backend, Bucket.AUTH_USERS, before.users(), after.users(), AuthTable::encodeUser);
        writeDiff(backend, Bucket.AUTH_ROLES, before.roles(), after.roles(), AuthTable::encodeRole);
    }

    private static <T> void writeDiff(final BackendWriter backend, final Bucket bucket, final Map<String, T> before,
        final Map<String, T> after, final java.util.function.Function<T, byte[]> encoder) {
        for (final String name : before.keySet()) {
            if (!after.containsKey(name)) {
                backend.delete(bucket, name.getBytes(StandardCharsets.UTF_8));
            }
        }
        for (final Map.Entry<String, T> entry : after.entrySet()) {
            if (!Objects.equals(before.get(entry.getKey()), entry.getValue())) {
                backend.put(bucket, entry.getKey().getBytes(StandardCharsets.UTF_8), encoder.apply(entry.getValue()));
            }
        }
    }

    static byte[] encodeUser(final User user) {
        final byte[] hash = user.passwordHash().getBytes(StandardCharsets.US_ASCII);
        final List<byte[]> roles = user.roles().stream().map(r -> r.getBytes(StandardCharsets.UTF_8)).toList();
        final int size = 2 + 2 + hash.length + 2 + roles.stream().mapToInt(r -> 2 + r.length).sum();
        final ByteBuffer buffer = ByteBuffer.allocate(size).put(FORMAT).put((byte)(user.noPassword() ? FLAG_NO_PASSWORD : 0))
            .putShort((short)hash.length).put(hash).putShort((short)roles.size());
        roles.forEach(r -> buffer.putShort((short)r.length).put(r));
        return buffer.array();
    }

    static User decodeUser(final String name, final byte[] value) {
        final ByteBuffer buffer = ByteBuffer.wrap(value);
        checkFormat(buffer.get(), "user " + name);
        final boolean noPassword = (buffer.get() & FLAG_NO_PASSWORD) != 0;
        final byte[] hash = new byte[Short.toUnsignedInt(buffer.getShort())];
        buffer.get(hash);
        final int count = Short.toUnsignedInt(buffer.getShort());
        final List<String> roles = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            final byte[] role = new byte[Short.toUnsignedInt(buffer.getShort())];
            buffer.get(role);
            roles.add(new String(role, StandardCharsets.UTF_8));
        }
        return new User(name, new String(hash, StandardCharsets.US_ASCII), noPassword, roles);
    }

    static byte[] encodeRole(final Role role) {
        final int size = 1 + 4 + role.permissions().stream()
            .mapToInt(p -> 1 + 4 + p.key().length + 4 + p.rangeEnd().length).sum();
        final ByteBuffer buffer = ByteBuffer.allocate(size).put(FORMAT).putInt(role.permissions().size());
        for (final Permission p : role.permissions()) {
            buffer.put((byte)p.type().code()).putInt(p.key().length).put(p.key()).putInt(p.rangeEnd().length)
                .put(p.rangeEnd());
        }
        return buffer.array();
    }

    static Role decodeRole(final String name, final byte[] value) {
        final ByteBuffer buffer = ByteBuffer.wrap(value);
        checkFormat(buffer.get(), "role " + name);
        final int count = buffer.getInt();
        final List<Permission> permissions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            final Permission.Type type = Permission.Type.ofCode(buffer.get());
            final byte[] key = new byte[buffer.getInt()];
            buffer.get(key);
            final byte[] rangeEnd = new byte[buffer.getInt()];
            buffer.get(rangeEnd);
            permissions.add(new Permission(type, key, rangeEnd));
        }
        return new Role(name, permissions);
    }

    private static void checkFormat(final byte format, final String what) {
        if (format != FORMAT) {
            throw new IllegalStateException("auth record of " + what + " has format " + format + ", expected " + FORMAT);
        }
    }
}
