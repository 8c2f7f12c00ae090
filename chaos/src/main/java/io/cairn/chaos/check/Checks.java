package io.cairn.chaos.check;

import java.util.List;

/** Every check of this package over one run's history, in one report. */
public final class Checks {
    private Checks() {
    }

    public static Report all(final RunHistory history) {
        final HistoryIndexes indexes = HistoryIndexes.of(history);
        return new Report(List.of(
            WatchChecker.check(history, indexes),
            LeaseChecker.check(history, indexes),
            SerializableReadChecker.check(history, indexes),
            DurabilityChecker.check(history, indexes)));
    }
}
