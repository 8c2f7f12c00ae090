package io.cairn.engine.migrate;

import io.cairn.engine.migrate.bolt.BoltBucket;
import io.cairn.engine.migrate.bolt.BoltEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * What etcd 3.4's `meta` bucket says: the compaction point etcd finished (`finishedCompactRev`),
 * the one it had scheduled (`scheduledCompactRev`; etcd resumes it on restart when it is newer),
 * and the last applied log index (`consistent_index`, dropped: the new cluster's log starts over).
 */
record EtcdMeta(long finishedCompactRevision, long scheduledCompactRevision, long consistentIndex) {
    private static final String FINISHED_COMPACT = "finishedCompactRev";
    private static final String SCHEDULED_COMPACT = "scheduledCompactRev";
    private static final String CONSISTENT_INDEX = "consistent_index";

    static EtcdMeta read(final Path file, final BoltBucket meta) throws IOException {
        final long[] values = new long[3];
        meta.forEach(entry -> {
            final String name = new String(entry.key(), StandardCharsets.UTF_8);
            switch (name) {
                case FINISHED_COMPACT -> values[0] = compactRevision(file, entry);
                case SCHEDULED_COMPACT -> values[1] = compactRevision(file, entry);
                case CONSISTENT_INDEX -> values[2] = bigEndian(file, entry);
                default -> {
                    // etcd 3.5 adds "term" and "confState"; neither carries over to a new cluster.
                }
            }
        });
        return new EtcdMeta(values[0], values[1], values[2]);
    }

    /** The compaction point etcd serves after a restart: it resumes a scheduled compaction newer than the finished one. */
    long compactRevision() {
        return Math.max(finishedCompactRevision, scheduledCompactRevision);
    }

    private static long compactRevision(final Path file, final BoltEntry entry) {
        final EtcdRevision revision = EtcdRevision.decode(entry.value());
        if (revision == null || revision.tombstone()) {
            throw new EtcdSnapshotException(file, "meta bucket's " + new String(entry.key(), StandardCharsets.UTF_8)
                + " is not a revision (" + entry.value().length + " bytes)");
        }
        return revision.main();
    }

    private static long bigEndian(final Path file, final BoltEntry entry) {
        if (entry.value().length != Long.BYTES) {
            throw new EtcdSnapshotException(file, "meta bucket's " + new String(entry.key(), StandardCharsets.UTF_8)
                + " is " + entry.value().length + " bytes, expected " + Long.BYTES);
        }
        return java.nio.ByteBuffer.wrap(entry.value()).getLong();
    }
}
