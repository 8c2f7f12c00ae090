package io.cairn.chaos.check;

import java.util.Objects;

/**
 * What one write asked for on one key: a put of {@code value} (attached to {@code leaseId}, or to
 * no lease when 0) or a delete ({@code value} is then empty). A Txn that writes several keys is
 * recorded as one {@link KvWrite} per key, all with the Txn's revision.
 */
public record Mutation(ChangeType type, String key, String value, long leaseId) {
    public static final long NO_LEASE = 0;

    public Mutation {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (type == ChangeType.DELETE && (!value.isEmpty() || leaseId != NO_LEASE)) {
            throw new IllegalArgumentException("a delete of " + key + " carries neither value nor lease");
        }
    }

    public static Mutation put(final String key, final String value) {
        return new Mutation(ChangeType.PUT, key, value, NO_LEASE);
    }

    public static Mutation put(final String key, final String value, final long leaseId) {
        return new Mutation(ChangeType.PUT, key, value, leaseId);
    }

    public static Mutation delete(final String key) {
        return new Mutation(ChangeType.DELETE, key, "", NO_LEASE);
    }

    @Override
    public String toString() {
        return type == ChangeType.PUT
            ? "put " + key + "=" + value + (leaseId == NO_LEASE ? "" : " lease " + Long.toHexString(leaseId))
            : "delete " + key;
    }
}
