package io.cairn.engine.mvcc;

import io.cairn.engine.backend.BackendWriter;
import io.cairn.engine.backend.Bucket;

/**
 * History another store recorded (etcd's, read by `cairn migrate`), written with this store's own
 * encoders: each version becomes exactly the records a Put or a delete at its revision would have
 * left, so reads, watches and compaction cannot tell migrated history from history made here.
 */
public final class MvccImport {
    private MvccImport() {
    }

    /** Whether every version of {@code userKey} fits the backend's key limit (etcd allows longer keys). */
    public static boolean fits(final byte[] userKey) {
        return RevisionKey.fits(userKey);
    }

    /** The live version {@code kv}, written at revision (main, sub). */
    public static void version(final BackendWriter backend, final long main, final long sub, final KeyValue kv) {
        RevisionWriter.store(backend, kv.key(), main, sub,
            new StoredVersion(kv.createRevision(), kv.modRevision(), kv.version(), kv.lease(), false, kv.value()));
    }

    /** The delete of {@code userKey} at revision (main, sub). */
    public static void tombstone(final BackendWriter backend, final byte[] userKey, final long main, final long sub) {
        RevisionWriter.store(backend, userKey, main, sub, StoredVersion.tombstone(main));
    }

    /** Records that the newest version of {@code userKey} is attached to lease {@code leaseId}. */
    public static void attachLease(final BackendWriter backend, final byte[] userKey, final long leaseId) {
        LeaseAttachments.move(backend, userKey, 0, leaseId);
    }

    /**
     * The store's revisions: the current one, the compaction point (0: never compacted) and how far
     * physical compaction got (below the compaction point, the store finishes it once it runs).
     */
    public static void revisions(final BackendWriter backend, final long currentRevision, final long compactRevision,
        final long compactedThrough) {
        if (compactedThrough > compactRevision || compactRevision > currentRevision) {
            throw new IllegalArgumentException("revisions out of order: compacted through " + compactedThrough
                + ", compaction point " + compactRevision + ", current " + currentRevision);
        }
        backend.put(Bucket.META, MvccStore.META_REVISION, MvccStore.longBytes(currentRevision));
        if (compactRevision > 0) {
            backend.put(Bucket.META, MvccStore.META_COMPACT_REVISION, MvccStore.longBytes(compactRevision));
            backend.put(Bucket.META, MvccStore.META_COMPACTED_THROUGH, MvccStore.longBytes(compactedThrough));
        }
    }
}
