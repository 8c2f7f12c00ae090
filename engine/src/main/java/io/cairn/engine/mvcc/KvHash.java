package io.cairn.engine.mvcc;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.backend.BackendCursor;
import io.cairn.engine.backend.BackendReader;
import io.cairn.engine.backend.Bucket;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Maintenance.HashKV: a CRC32C over the key-value history up to a revision, for comparing members
 * (etcd's corruption check). It covers what compaction must keep, so members whose physical
 * compaction has progressed differently still agree: every version above the compaction
 * revision, and for each key its newest version at or below it unless that is a deletion (etcd's
 * "keep" set). Each version adds its encoded key and its record in the SBE form, whichever form is
 * stored ({@link StoredVersion}), so members that wrote the same history in different formats (a
 * rolling upgrade) agree. The value differs from etcd's (the stored formats differ); it is meant to
 * be compared between Cairn members.
 */
public final class KvHash {
    /**
     * The hash, the compaction revision it started from, the revision it covers, and the store's
     * current revision when it was taken (what etcd's response header reports, whatever was asked).
     */
    public record Result(int hash, long compactRevision, long revision, long currentRevision) {
    }

    private KvHash() {
    }

    /** Revision 0 means the current one; a compacted or future revision is refused with etcd's error. */
    public static Result of(final BackendReader backend, final long requestedRevision) {
        final long current = MvccStore.currentRevision(backend);
        final long compacted = MvccStore.compactRevision(backend);
        final long revision = requestedRevision == 0 ? current : requestedRevision;
        if (revision > current) {
            throw new EtcdException(EtcdError.FUTURE_REVISION);
        }
        if (revision < compacted) {
            throw new EtcdException(EtcdError.COMPACTED);
        }
        final CRC32C crc = new CRC32C();
        final BackendCursor cursor = backend.cursor(Bucket.KV);
        byte[] userKey = null;
        boolean keptBelowCompaction = false;
        for (boolean ok = cursor.seek(new byte[0]); ok; ok = cursor.next()) {
            final byte[] encoded = cursor.key();
            final byte[] key = RevisionKey.userKey(encoded);
            if (userKey == null || !Arrays.equals(key, userKey)) {
                userKey = key;
                keptBelowCompaction = false;
            }
            final long main = RevisionKey.mainRevision(encoded);
            if (main > revision) {
                continue; // newer than asked: versions sort newest first, so older ones follow
            }
            final byte[] record = cursor.value();
            if (main <= compacted) {
                if (keptBelowCompaction) {
                    continue;
                }
                keptBelowCompaction = true;
                if (StoredVersion.decode(record).tombstone()) {
                    continue;
                }
            }
            crc.update(encoded);
            crc.update(StoredVersion.sbeForm(record));
        }
        return new Result((int)crc.getValue(), compacted, revision, current);
    }
}
