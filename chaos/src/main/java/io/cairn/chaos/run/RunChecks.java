package io.cairn.chaos.run;

import io.cairn.chaos.check.ChangeType;
import io.cairn.chaos.check.Checks;
import io.cairn.chaos.check.FinalState;
import io.cairn.chaos.check.Report;
import io.cairn.chaos.check.RunHistory;
import io.cairn.chaos.check.WatchEvent;
import io.cairn.chaos.check.WatchLog;
import io.cairn.chaos.fault.FaultKind;
import io.cairn.chaos.linearizability.LinearizabilityChecker;
import io.cairn.chaos.linearizability.Operation;
import io.cairn.chaos.linearizability.UnknownOutcomes;
import io.cairn.chaos.workload.Records;
import io.cairn.chaos.workload.Workload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Everything a run recorded, through linearizability and the other checks, into a {@link RunReport}. */
final class RunChecks {
    /** The linearizability search's bound for runs up to 20 minutes. */
    static final Duration LINEARIZABILITY_BUDGET = Duration.ofSeconds(120);

    private RunChecks() {
    }

    /** @param notBack members that did not serve again after the faults, with why */
    static RunReport run(final ChaosOptions options, final Workload workload, final List<FinalState> finals,
                         final List<String> notBack, final Map<FaultKind, Long> faults, final List<String> timeline) {
        final List<String> summary = new ArrayList<>();
        final List<String> violations = new ArrayList<>();
        notBack.forEach(member -> violations.add("recovery: " + member));
        final List<Operation> recordedOperations = workload.history().operations();
        final UnknownOutcomes.Settled settled = UnknownOutcomes.settle(recordedOperations,
            appliedRevisions(workload.watchLogs()));
        summary.add(settled.toString());
        final List<Operation> operations = settled.operations();
        final LinearizabilityChecker.Result linearizable = LinearizabilityChecker.check(operations,
            linearizabilityBudget(options.faulting()));
        summary.add("linearizability: " + linearizable.verdict() + " over " + operations.size() + " operations ("
            + operations.stream().filter(Operation::outcomeUnknown).count() + " indeterminate)");
        if (!linearizable.linearizable()) {
            violations.add("linearizability: " + linearizable + "\n" + linearizable.explanation());
        }
        if (finals.size() != options.members()) {
            violations.add("final state: only " + finals.size() + " of " + options.members() + " members answered");
        }
        final Records records = workload.records();
        final RunHistory.Builder history = RunHistory.builder();
        records.writes().forEach(history::write);
        records.reads().forEach(history::read);
        records.restarts().forEach(history::restart);
        workload.watchLogs().forEach(history::watch);
        workload.leases().forEach(history::lease);
        finals.forEach(history::finalState);
        final RunHistory recorded = history.build();
        final Report report = Checks.all(recorded);
        summary.add(report.toString().strip());
        if (!report.passed()) {
            violations.add(report.toString());
        }
        if (!violations.isEmpty()) {
            violations.add("timeline:\n" + String.join("\n", timeline));
            violations.add("the whole history: " + HistoryFiles.write(options.dir(), recorded, recordedOperations, timeline));
        }
        return new RunReport(options.server().name(), options.seed(), operations.size(), faults, summary, violations);
    }

    /**
     * A minute per 10 minutes of faults, two at the least: the search is near linear in the history
     * once unknown writes are settled.
     */
    static Duration linearizabilityBudget(final Duration faulting) {
        final Duration scaled = faulting.dividedBy(10);
        return scaled.compareTo(LINEARIZABILITY_BUDGET) > 0 ? scaled : LINEARIZABILITY_BUDGET;
    }

    /** Every value the watches saw put, with its revision: the store's own record of what it applied. */
    static Map<UnknownOutcomes.KeyValue, Long> appliedRevisions(final List<WatchLog> logs) {
        final Map<UnknownOutcomes.KeyValue, Long> applied = new HashMap<>();
        for (final WatchLog log : logs) {
            for (final WatchEvent event : log.events()) {
                if (event.type() == ChangeType.PUT) {
                    applied.put(new UnknownOutcomes.KeyValue(event.key(), event.value()), event.modRevision());
                }
            }
        }
        return applied;
    }

    /** Each member's newest watch has delivered the event at {@code revision} (every write is on the prefix). */
    static boolean watchesReached(final List<WatchLog> logs, final long revision) {
        final Map<String, WatchLog> newest = new HashMap<>();
        for (final WatchLog log : logs) {
            newest.put(log.member(), log);
        }
        for (final WatchLog log : newest.values()) {
            if (log.lastDeliveredRevision() < revision) { // start - 1 when nothing was delivered
                return false;
            }
        }
        return true;
    }
}
