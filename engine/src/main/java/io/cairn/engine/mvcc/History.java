package io.cairn.engine.mvcc;

import io.cairn.engine.backend.BackendCursor;
import io.cairn.engine.backend.BackendReader;
import io.cairn.engine.backend.Bucket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the history (bucket {@code rev}, in revision order) from one backend snapshot: what watchers
 * replay and what the watch thread fans out. Each entry's value is the version written at exactly
 * that revision.
 */
public final class History {
    /**
     * The changes of revisions {@code from..through}, whole revisions only, and the snapshot's current
     * and compaction revisions. {@code through} is the current revision once the batch reached it.
     */
    public record Batch(List<Change> changes, long through, long currentRevision, long compactRevision) {
    }

    private final BackendReader backend;

    public History(final BackendReader backend) {
        this.backend = backend;
    }

    public long currentRevision() {
        return MvccStore.currentRevision(backend);
    }

    public long compactRevision() {
        return MvccStore.compactRevision(backend);
    }

    /**
     * The changes from revision {@code from} on: at most {@code maxRevisions} revisions, and no
     * revision begun once {@code maxValueBytes} of values have been read (one revision at least),
     * so a batch is bounded unless a single revision is huge. The caller checks compaction first:
     * history below the compaction revision may be partly gone.
     */
    public Batch read(final long from, final int maxRevisions, final long maxValueBytes) {
        final long current = currentRevision();
        final List<Change> changes = new ArrayList<>();
        final BackendCursor cursor = backend.cursor(Bucket.REV);
        long through = current;
        long lastMain = -1;
        int revisions = 0;
        long valueBytes = 0;
        for (boolean valid = cursor.seek(MvccStore.revisionBytes(from, 0)); valid; valid = cursor.next()) {
            final ByteBuffer revision = ByteBuffer.wrap(cursor.key());
            final long main = revision.getLong();
            final long sub = revision.getLong();
            if (main > current) {
                break;
            }
            if (main != lastMain) {
                if (revisions >= maxRevisions || valueBytes >= maxValueBytes) {
                    through = lastMain;
                    break;
                }
                revisions++;
                lastMain = main;
            }
            final byte[] userKey = cursor.value();
            final byte[] stored = backend.get(Bucket.KV, RevisionKey.encode(userKey, main, sub));
            if (stored == null) {
                continue; // dropped by compaction (a tombstone at the compaction revision)
            }
            final StoredVersion version = StoredVersion.decode(stored);
            valueBytes += version.value().length + userKey.length;
            changes.add(version.tombstone()
                ? new Change(true, new KeyValue(userKey, 0, main, 0, 0, new byte[0]))
                : new Change(false, version.toKeyValue(userKey)));
        }
        return new Batch(changes, Math.max(through, from - 1), current, compactRevision());
    }

    /**
     * The version of {@code key} a change at {@code revision} replaced (etcd's prev_kv), or null if
     * the key did not exist then or revision - 1 is compacted (etcd's Range then fails and it sends none).
     */
    public KeyValue previous(final byte[] key, final long revision) {
        if (revision - 1 < compactRevision()) {
            return null;
        }
        return new VersionReader(backend).latest(key, revision - 1);
    }
}
