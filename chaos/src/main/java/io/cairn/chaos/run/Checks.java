package io.cairn.chaos.run;

import io.cairn.chaos.fault.FaultKind;
import io.cairn.chaos.linearizability.HistoryFormat;
import io.cairn.chaos.linearizability.LinearizabilityChecker;
import io.cairn.chaos.linearizability.Operation;
import io.cairn.chaos.workload.Workload;
import io.cairn.chaos.workload.WatchRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The checks a run's records go through, and the report they make. */
final class Checks {
    static final Duration LINEARIZABILITY_BUDGET = Duration.ofSeconds(120);

    private Checks() {
    }

    static RunReport run(final ChaosOptions options, final Workload workload, final List<MemberState> finals,
                         final Map<FaultKind, Long> faults, final List<String> timeline) {
        final List<String> summary = new ArrayList<>();
        final List<String> violations = new ArrayList<>();
        final List<Operation> operations = workload.history().operations();
        final LinearizabilityChecker.Result linearizable = LinearizabilityChecker.check(operations,
            LINEARIZABILITY_BUDGET);
        summary.add("linearizability: " + linearizable.verdict() + " over " + operations.size() + " operations ("
            + operations.stream().filter(Operation::outcomeUnknown).count() + " indeterminate)");
        if (!linearizable.linearizable()) {
            violations.add("linearizability: " + linearizable + "\n" + linearizable.explanation());
        }
        finalStatesAgree(finals, options.members(), summary, violations);
        if (!violations.isEmpty()) {
            violations.add("timeline:\n" + String.join("\n", timeline));
        }
        return new RunReport(options.server().name(), options.seed(), operations.size(), faults, summary,
            violations);
    }

    /** Every member reached the same revision with the same keys and the same KV hash. */
    private static void finalStatesAgree(final List<MemberState> finals, final int members, final List<String> summary,
                                         final List<String> violations) {
        if (finals.size() != members) {
            violations.add("final state: only " + finals.size() + " of " + members + " members answered");
            return;
        }
        final MemberState first = finals.get(0);
        for (final MemberState other : finals.subList(1, finals.size())) {
            if (other.revision() != first.revision() || other.hash() != first.hash()
                || !other.values().equals(first.values())) {
                violations.add("final state: m" + first.member() + " (revision " + first.revision() + ", hash "
                    + first.hash() + ", " + first.values() + ") and m" + other.member() + " (revision "
                    + other.revision() + ", hash " + other.hash() + ", " + other.values() + ") differ");
            }
        }
        summary.add("final state: " + finals.size() + " members at revision " + first.revision() + ", hash "
            + first.hash());
    }

    /** Each member's newest watch has delivered the event at {@code revision} (every write is on the prefix). */
    static boolean watchesReached(final List<WatchRecorder.Log> logs, final long revision) {
        final Map<Integer, WatchRecorder.Log> newest = new HashMap<>();
        for (final WatchRecorder.Log log : logs) {
            newest.put(log.member, log);
        }
        for (final WatchRecorder.Log log : newest.values()) {
            final List<WatchRecorder.Delivered> events = log.events();
            final long last = events.isEmpty() ? log.startRevision - 1 : events.get(events.size() - 1).modRevision();
            if (last < revision) {
                return false;
            }
        }
        return true;
    }

    static String format(final List<Operation> operations) {
        return HistoryFormat.format(operations);
    }
}
