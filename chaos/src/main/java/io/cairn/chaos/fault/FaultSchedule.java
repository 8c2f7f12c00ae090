package io.cairn.chaos.fault;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded schedule of faults over a run: each enabled kind once first (in a shuffled order), then
 * kinds at random, each held 2-5 s with 1.5-3 s of calm between, until the duration is used. The
 * same seed, kinds, members and duration give the same schedule, so a violation replays.
 */
public final class FaultSchedule {
    static final long HOLD_MIN_MILLIS = 2_000;
    static final long HOLD_MAX_MILLIS = 5_000;
    static final long CALM_MIN_MILLIS = 1_500;
    static final long CALM_MAX_MILLIS = 3_000;

    private FaultSchedule() {
    }

    public static List<Fault> of(final long seed, final List<FaultKind> kinds, final int members,
                                 final long durationMillis) {
        if (kinds.isEmpty()) {
            return List.of();
        }
        final SplittableRandom random = new SplittableRandom(seed);
        final List<FaultKind> firstRound = new ArrayList<>(kinds);
        for (int i = firstRound.size() - 1; i > 0; i--) {
            final int j = random.nextInt(i + 1);
            firstRound.set(i, firstRound.set(j, firstRound.get(i)));
        }
        final List<Fault> faults = new ArrayList<>();
        long at = random.nextLong(CALM_MIN_MILLIS, CALM_MAX_MILLIS + 1);
        while (true) {
            final long hold = random.nextLong(HOLD_MIN_MILLIS, HOLD_MAX_MILLIS + 1);
            if (at + hold > durationMillis && faults.size() >= firstRound.size()) {
                return faults;
            }
            final FaultKind kind = faults.size() < firstRound.size() ? firstRound.get(faults.size())
                : kinds.get(random.nextInt(kinds.size()));
            faults.add(new Fault(kind, at, hold, random.nextBoolean(), 1 + random.nextInt(members)));
            at += hold + random.nextLong(CALM_MIN_MILLIS, CALM_MAX_MILLIS + 1);
        }
    }
}
