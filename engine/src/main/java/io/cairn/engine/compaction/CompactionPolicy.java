package io.cairn.engine.compaction;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * Decides when auto compaction runs and to which revision, given the time and the store's
 * revision at each wake-up. Pure: the {@link AutoCompactor} owns the thread and the clock.
 */
public interface CompactionPolicy {
    /** How long to sleep between wake-ups. */
    Duration wakeInterval();

    /** Called at each wake-up: the revision to compact to now, if any. */
    OptionalLong onWake(long nowNanos, long currentRevision);

    /** The outcome of the compaction {@link #onWake} asked for ("already compacted" counts as done). */
    void onCompacted(long nowNanos, long revision, boolean done);
}
