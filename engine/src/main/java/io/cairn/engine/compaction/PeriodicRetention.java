package io.cairn.engine.compaction;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.OptionalLong;

/**
 * etcd's "periodic" mode: keep {@code retention} worth of history. The store's revision is sampled
 * every tenth of min(retention, 1 hour); the oldest sample kept is the revision of one retention
 * ago. The first compaction happens one retention after start, later ones every min(retention,
 * 1 hour) after the last success; a failure is retried at the next wake-up.
 */
public final class PeriodicRetention implements CompactionPolicy {
    private static final Duration INTERVAL_MAX = Duration.ofHours(1);
    private static final int WAKES_PER_INTERVAL = 10;

    private final long retentionNanos;
    private final long compactIntervalNanos;
    private final Duration wakeInterval;
    private final int samplesMax;
    private final ArrayDeque<Long> samples = new ArrayDeque<>();
    private long lastSuccessNanos;
    private long waitNanos;

    public PeriodicRetention(final Duration retention, final long startNanos, final long startRevision) {
        assert !retention.isZero() && !retention.isNegative() : "periodic retention must be positive";
        retentionNanos = retention.toNanos();
        compactIntervalNanos = Math.min(retentionNanos, INTERVAL_MAX.toNanos());
        wakeInterval = Duration.ofNanos(compactIntervalNanos / WAKES_PER_INTERVAL);
        samplesMax = (int)(retentionNanos / wakeInterval.toNanos()) + 1;
        lastSuccessNanos = startNanos;
        waitNanos = retentionNanos;
        samples.addLast(startRevision);
    }

    @Override
    public Duration wakeInterval() {
        return wakeInterval;
    }

    @Override
    public OptionalLong onWake(final long nowNanos, final long currentRevision) {
        final OptionalLong due = nowNanos - lastSuccessNanos < waitNanos
            ? OptionalLong.empty()
            : OptionalLong.of(samples.peekFirst());
        if (due.isPresent()) {
            waitNanos = compactIntervalNanos; // only the first compaction waits a whole retention
        }
        samples.addLast(currentRevision);
        if (samples.size() > samplesMax) {
            samples.removeFirst();
        }
        return due;
    }

    @Override
    public void onCompacted(final long nowNanos, final long revision, final boolean done) {
        if (done) {
            lastSuccessNanos = nowNanos;
        }
    }
}
