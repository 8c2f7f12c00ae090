package io.cairn.engine.compaction;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** etcd 3.4's auto-compaction schedules, driven by a simulated clock. */
class CompactionPolicyTest {
    /** (minute, revision) of each compaction when the store's revision equals the minute. */
    private static List<long[]> drive(final CompactionPolicy policy, final long minutes, final long failAtMinute) {
        final List<long[]> compactions = new ArrayList<>();
        final long stepNanos = policy.wakeInterval().toNanos();
        for (long now = stepNanos; now <= Duration.ofMinutes(minutes).toNanos(); now += stepNanos) {
            final long minute = Duration.ofNanos(now).toMinutes();
            final OptionalLong due = policy.onWake(now, minute);
            if (due.isPresent()) {
                final boolean done = minute != failAtMinute;
                policy.onCompacted(now, due.getAsLong(), done);
                if (done) {
                    compactions.add(new long[] {minute, due.getAsLong()});
                }
            }
        }
        return compactions;
    }

    /**
     * As in etcd, the sample window holds retention/wake + 1 revisions, so after the first
     * compaction each one lands on the revision of one retention plus one wake interval ago.
     */
    @Test
    void periodicOneHourCompactsHourlyToTheRevisionOfAnHourAgo() {
        final List<long[]> done = drive(new PeriodicRetention(Duration.ofHours(1), 0, 0), 180, -1);
        assertEquals(List.of("60->0", "120->54", "180->114"), render(done));
    }

    @Test
    void periodicDayWaitsADayThenCompactsHourlyKeepingADay() {
        final List<long[]> done = drive(new PeriodicRetention(Duration.ofHours(24), 0, 0), 26 * 60, -1);
        assertEquals(List.of("1440->0", "1500->54", "1560->114"), render(done));
    }

    @Test
    void periodicRetriesAFailureAtTheNextWake() {
        final List<long[]> done = drive(new PeriodicRetention(Duration.ofMinutes(10), 0, 0), 25, 10);
        assertEquals(List.of("11->0", "21->10"), render(done));
    }

    @Test
    void revisionModeKeepsTheLastNRevisionsEveryFiveMinutes() {
        final RevisionRetention policy = new RevisionRetention(10);
        assertEquals(Duration.ofMinutes(5), policy.wakeInterval());
        assertEquals(OptionalLong.empty(), policy.onWake(0, 10), "nothing to compact at or below 0");
        assertEquals(OptionalLong.of(5), policy.onWake(0, 15));
        policy.onCompacted(0, 5, true);
        assertEquals(OptionalLong.empty(), policy.onWake(0, 15), "same revision as last time");
        assertEquals(OptionalLong.of(90), policy.onWake(0, 100));
        policy.onCompacted(0, 90, false);
        assertEquals(OptionalLong.of(90), policy.onWake(0, 100), "retried after a failure");
    }

    private static List<String> render(final List<long[]> compactions) {
        return compactions.stream().map(c -> c[0] + "->" + c[1]).toList();
    }
}
