package io.cairn.chaos.check;

/**
 * The lookups every check makes over one run's history, which do not change once built: writes by
 * key and revision, leases by the values written with them, and how to print a fact. Built once per
 * history and shared by the checks ({@link Checks#all}). A {@link Provenance} is not among them: it
 * counts the revisions each check saw an indeterminate write at, so each check keeps its own.
 */
record HistoryIndexes(WriteIndex writes, LeaseIndex leases, Lines lines) {
    static HistoryIndexes of(final RunHistory history) {
        return new HistoryIndexes(new WriteIndex(history.writes()), new LeaseIndex(history.leases(), history.writes()),
            new Lines(history.originNanos()));
    }
}
