package io.cairn.btree;

/**
 * How an {@link Env} is opened.
 *
 * @param mapSizeBytes  address space reserved by the single mmap; the file can grow up to this
 *                      without remapping under readers. A full map reports {@link NoSpaceException}.
 * @param maxValueBytes largest value accepted (etcd's request limit: 1.5 MiB default, 10 MiB cap)
 * @param syncOnCommit  true: commit = pwrite pages, fdatasync, write meta, fdatasync. false: commit
 *                      publishes to readers in this process only; {@link Env#sync()} makes it durable
 *                      (the WAL is the durability source; a crash rolls back to the last sync)
 * @param maxReaders    bound on concurrent read transactions
 */
public record EnvOptions(long mapSizeBytes, int maxValueBytes, boolean syncOnCommit, int maxReaders) {
    public static final long DEFAULT_MAP_SIZE_BYTES = 8L << 30;
    public static final int DEFAULT_MAX_VALUE_BYTES = 3 << 19;
    /** etcd's largest sensible request (10 MiB) plus the engine's record overhead, with room to spare. */
    public static final int MAX_VALUE_BYTES_LIMIT = 16 << 20;
    public static final int DEFAULT_MAX_READERS = 126;

    public EnvOptions {
        if (mapSizeBytes < 16L * Page.SIZE_BYTES || mapSizeBytes % Page.SIZE_BYTES != 0) {
            throw new IllegalArgumentException("mapSizeBytes must be a multiple of " + Page.SIZE_BYTES
                    + " and at least 16 pages, got " + mapSizeBytes);
        }
        if (maxValueBytes < 0 || maxValueBytes > MAX_VALUE_BYTES_LIMIT) {
            throw new IllegalArgumentException("maxValueBytes must be in [0, " + MAX_VALUE_BYTES_LIMIT + "], got " + maxValueBytes);
        }
        if (maxReaders < 1 || maxReaders > 65536) {
            throw new IllegalArgumentException("maxReaders must be in [1, 65536], got " + maxReaders);
        }
    }

    public static EnvOptions defaults() {
        return new EnvOptions(DEFAULT_MAP_SIZE_BYTES, DEFAULT_MAX_VALUE_BYTES, true, DEFAULT_MAX_READERS);
    }

    public EnvOptions withMapSizeBytes(long bytes) {
        return new EnvOptions(bytes, maxValueBytes, syncOnCommit, maxReaders);
    }

    public EnvOptions withMaxValueBytes(int bytes) {
        return new EnvOptions(mapSizeBytes, bytes, syncOnCommit, maxReaders);
    }

    public EnvOptions withSyncOnCommit(boolean sync) {
        return new EnvOptions(mapSizeBytes, maxValueBytes, sync, maxReaders);
    }

    public EnvOptions withMaxReaders(int readers) {
        return new EnvOptions(mapSizeBytes, maxValueBytes, syncOnCommit, readers);
    }
}
