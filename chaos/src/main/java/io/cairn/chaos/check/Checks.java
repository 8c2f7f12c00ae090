package io.cairn.chaos.check;

import java.util.List;

/** Every check of this package over one run's history, in one report. */
public final class Checks {
    private Checks() {
    }

    public static Report all(final RunHistory history) {
        return new Report(List.of(
            WatchChecker.check(history),
            LeaseChecker.check(history),
            SerializableReadChecker.check(history),
            DurabilityChecker.check(history)));
    }
}
