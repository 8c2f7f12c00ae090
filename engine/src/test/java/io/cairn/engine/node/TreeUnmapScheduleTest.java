package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/** When the sync thread unmaps the tree, driven by a simulated clock at the sync thread's 100 ms wake-ups. */
class TreeUnmapScheduleTest {
    private static final long STEP_MILLIS = 100;

    /** The milliseconds at which the schedule unmapped, over {@code millis}, the write count at each time given by {@code writesAt}. */
    private static List<Long> drive(final long millis, final LongUnaryOperator writesAt) {
        final TreeUnmapSchedule schedule = new TreeUnmapSchedule(TreeUnmapSchedule.EVERY_NANOS, 0, writesAt.applyAsLong(0));
        final List<Long> unmaps = new ArrayList<>();
        for (long now = STEP_MILLIS; now <= millis; now += STEP_MILLIS) {
            final long nowNanos = TimeUnit.MILLISECONDS.toNanos(now);
            final long writes = writesAt.applyAsLong(now);
            if (schedule.due(nowNanos, writes)) {
                schedule.unmapped(nowNanos, writes);
                unmaps.add(now);
            }
        }
        return unmaps;
    }

    @Test
    void anIdleTreeIsUnmappedEveryFiveSeconds() {
        assertEquals(List.of(5_000L, 10_000L, 15_000L), drive(15_000, now -> 42));
    }

    @Test
    void underSteadyWritesOnlyEveryFiveSeconds() {
        assertEquals(List.of(5_000L, 10_000L, 15_000L), drive(15_000, now -> now));
    }

    /** A load ends at 3.05 s: a second later the tree is unmapped, and not again until the five seconds are up. */
    @Test
    void aSecondAfterTheWritesStop() {
        assertEquals(List.of(4_100L, 9_100L, 14_100L), drive(14_500, now -> Math.min(now, 3_050)));
    }

    /** A pause shorter than the quiet second is not the load's end; the load ends at 5.6 s. */
    @Test
    void aShortPauseInTheWritesIsNotTheirEnd() {
        final LongUnaryOperator writes = now -> now < 2_000 ? now : now < 2_800 ? 2_000 : Math.min(now, 5_600);
        assertEquals(List.of(5_000L, 6_600L), drive(9_900, writes));
    }

    /** Writes that the sync thread saw during the unmap (after it read the count) still bring a quiet unmap. */
    @Test
    void writesDuringTheUnmapAreNotForgotten() {
        final TreeUnmapSchedule schedule = new TreeUnmapSchedule(TreeUnmapSchedule.EVERY_NANOS, 0, 0);
        final long second = TimeUnit.SECONDS.toNanos(1);
        assertEquals(false, schedule.due(second / 2, 5));
        assertEquals(true, schedule.due(2 * second, 5));
        schedule.unmapped(2 * second, 5);
        assertEquals(false, schedule.due(2 * second + 1, 7)); // two more while it unmapped
        assertEquals(false, schedule.due(3 * second, 7));
        assertEquals(true, schedule.due(3 * second + 1, 7));
    }
}
