package io.cairn.chaos.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultScheduleTest {
    private static final List<FaultKind> ALL = Arrays.asList(FaultKind.values());

    @Test
    void theSameSeedGivesTheSameScheduleAndAnotherSeedAnother() {
        assertEquals(FaultSchedule.of(7, ALL, 3, 180_000), FaultSchedule.of(7, ALL, 3, 180_000));
        assertNotEquals(FaultSchedule.of(7, ALL, 3, 180_000), FaultSchedule.of(8, ALL, 3, 180_000));
    }

    @Test
    void everyKindComesFirstOnceThenFaultsFillTheDurationWithoutOverlapping() {
        for (long seed = 0; seed < 50; seed++) {
            final List<Fault> faults = FaultSchedule.of(seed, ALL, 5, 180_000);
            final EnumSet<FaultKind> firstRound = EnumSet.noneOf(FaultKind.class);
            faults.subList(0, ALL.size()).forEach(f -> firstRound.add(f.kind()));
            assertEquals(EnumSet.allOf(FaultKind.class), firstRound, "seed " + seed);
            for (int i = 1; i < faults.size(); i++) {
                final Fault before = faults.get(i - 1);
                assertTrue(faults.get(i).startMillis() >= before.startMillis() + before.holdMillis()
                    + FaultSchedule.CALM_MIN_MILLIS, "seed " + seed + ": " + before + " then " + faults.get(i));
            }
            final Fault last = faults.get(faults.size() - 1);
            assertTrue(last.startMillis() + last.holdMillis() <= 180_000, "seed " + seed + ": " + last);
            assertTrue(faults.stream().allMatch(f -> f.member() >= 1 && f.member() <= 5));
        }
    }

    @Test
    void aShortRunStillGetsEveryKindOnce() {
        assertEquals(ALL.size(), FaultSchedule.of(3, ALL, 3, 1_000).size());
        assertEquals(List.of(), FaultSchedule.of(3, List.of(), 3, 60_000));
    }
}
