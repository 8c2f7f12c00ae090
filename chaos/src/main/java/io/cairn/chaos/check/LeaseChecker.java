package io.cairn.chaos.check;

import java.util.List;
import java.util.Map;

/**
 * Checks that an ended lease's keys are gone: once a revoke was acknowledged (or expiry observed)
 * at time T, no linearizable read sent after T shows a value written with that lease, and no
 * member holds one at the end. A serializable read may lag its member behind T, so it is held to
 * this only when its header revision reaches the revision that deleted the lease's keys, when the
 * run knows it. A value is the lease's when the put that wrote it, found by key and mod_revision
 * (or by value when its revision is unknown), was attached to the lease. O(n).
 */
public final class LeaseChecker {
    public static final String NAME = "lease";

    private LeaseChecker() {
    }

    public static CheckResult check(final RunHistory history) {
        return check(history, HistoryIndexes.of(history));
    }

    static CheckResult check(final RunHistory history, final HistoryIndexes indexes) {
        final LeaseIndex leases = indexes.leases();
        final Lines lines = indexes.lines();
        final CheckResult.Collector violations = new CheckResult.Collector(NAME);
        long readsOfLeasedValues = 0;
        for (final KvRead read : history.reads()) {
            if (!read.found()) {
                continue;
            }
            final long leaseId = leases.leaseOf(read.key(), read.value(), read.modRevision());
            if (leaseId == Mutation.NO_LEASE) {
                continue;
            }
            readsOfLeasedValues++;
            final LeaseEnd end = leases.end(leaseId);
            if (!end.ended()) {
                continue;
            }
            final boolean bound = read.consistency() == Consistency.LINEARIZABLE
                ? end.atNanos() < read.span().invokedNanos()
                : end.deleteRevision() != 0 && read.headerRevision() >= end.deleteRevision();
            if (bound) {
                violations.add("a read sent after its lease ended still showed the lease's value",
                    List.of(lines.lease(leases.facts(leaseId)), lines.read(read)));
            }
        }
        for (final FinalState state : history.finalStates()) {
            for (final Map.Entry<String, Stored> key : state.keys().entrySet()) {
                final long leaseId = leases.leaseOf(key.getKey(), key.getValue().value(),
                    key.getValue().modRevision());
                if (leases.ended(leaseId)) {
                    violations.add(state.member() + " still holds a key of a lease that ended",
                        List.of(lines.lease(leases.facts(leaseId)),
                            "final state of " + state.member() + ": " + key.getKey() + " = " + key.getValue()));
                }
            }
        }
        return violations.result(history.leases().size() + " leases, " + readsOfLeasedValues
            + " reads of leased values, " + history.finalStates().size() + " final states");
    }
}
