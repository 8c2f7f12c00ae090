package io.cairn.engine.auth;

import java.util.Arrays;

/**
 * One key permission of a role (etcd's authpb.Permission): {@code rangeEnd} empty is the single
 * key, "\0" every key from {@code key} on, else [key, rangeEnd).
 */
public record Permission(Type type, byte[] key, byte[] rangeEnd) {
    /** etcd's Permission.Type, with its wire and on-disk codes. */
    public enum Type {
        READ(0), WRITE(1), READWRITE(2);

        private final int code;

        Type(final int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        public static Type ofCode(final int code) {
            for (final Type type : values()) {
                if (type.code == code) {
                    return type;
                }
            }
            throw new IllegalArgumentException("unknown permission type " + code);
        }

        boolean grantsRead() {
            return this != WRITE;
        }

        boolean grantsWrite() {
            return this != READ;
        }
    }

    public Permission {
        key = key.clone();
        rangeEnd = rangeEnd.clone();
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    @Override
    public byte[] rangeEnd() {
        return rangeEnd.clone();
    }

    boolean sameRange(final byte[] otherKey, final byte[] otherRangeEnd) {
        return Arrays.equals(key, otherKey) && Arrays.equals(rangeEnd, otherRangeEnd);
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof Permission p && p.type == type && sameRange(p.key, p.rangeEnd);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * type.hashCode() + Arrays.hashCode(key)) + Arrays.hashCode(rangeEnd);
    }

    @Override
    public String toString() {
        return type + "[" + Arrays.toString(key) + ", " + Arrays.toString(rangeEnd) + ")";
    }
}
