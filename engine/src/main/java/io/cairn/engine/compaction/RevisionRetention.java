package io.cairn.engine.compaction;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * etcd's "revision" mode: every 5 minutes, compact to (current revision - retention), unless that
 * is not positive or was the last revision compacted to.
 */
public final class RevisionRetention implements CompactionPolicy {
    static final Duration WAKE_INTERVAL = Duration.ofMinutes(5);

    private final long retentionRevisions;
    private long lastCompacted;

    public RevisionRetention(final long retentionRevisions) {
        assert retentionRevisions > 0 : "revision retention must be positive";
        this.retentionRevisions = retentionRevisions;
    }

    @Override
    public Duration wakeInterval() {
        return WAKE_INTERVAL;
    }

    @Override
    public OptionalLong onWake(final long nowNanos, final long currentRevision) {
        final long revision = currentRevision - retentionRevisions;
        return revision <= 0 || revision == lastCompacted ? OptionalLong.empty() : OptionalLong.of(revision);
    }

    @Override
    public void onCompacted(final long nowNanos, final long revision, final boolean done) {
        if (done) {
            lastCompacted = revision;
        }
    }
}
