package io.cairn.engine.migrate;

/**
 * A key of etcd's `key` bucket: the revision of one change, and whether that change was a delete.
 *
 * <pre>
 * 0 u64 main revision (big-endian)   8 '_'   9 u64 sub revision (big-endian)   [17 't': a tombstone]
 * </pre>
 *
 * The same 17 bytes without the mark are how etcd's `meta` bucket stores its compaction revisions.
 */
record EtcdRevision(long main, long sub, boolean tombstone) {
    static final int BYTES = 17;
    private static final int SEPARATOR_AT = 8;
    private static final byte SEPARATOR = '_';
    private static final byte TOMBSTONE_MARK = 't';

    /** The revision in {@code bytes}, or null if they are not one. */
    static EtcdRevision decode(final byte[] bytes) {
        final boolean marked = bytes.length == BYTES + 1;
        if (bytes.length != BYTES && !marked) {
            return null;
        }
        if (bytes[SEPARATOR_AT] != SEPARATOR || (marked && bytes[BYTES] != TOMBSTONE_MARK)) {
            return null;
        }
        final long main = readLongBigEndian(bytes, 0);
        final long sub = readLongBigEndian(bytes, SEPARATOR_AT + 1);
        return main < 0 || sub < 0 ? null : new EtcdRevision(main, sub, marked);
    }

    private static long readLongBigEndian(final byte[] in, final int offset) {
        long value = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            value = (value << 8) | (in[offset + i] & 0xFF);
        }
        return value;
    }

    @Override
    public String toString() {
        return main + "_" + sub + (tombstone ? " (delete)" : "");
    }
}
