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
import io.cairn.etcd.api.etcdserverpb.Member;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Everything a run recorded, through linearizability and the other checks, into a {@link RunReport}. */
final class RunChecks {
    /** The linearizability search's bound for runs up to 20 minutes. */
    static final Duration LINEARIZABILITY_BUDGET = Duration.ofSeconds(120);

    private RunChecks() {
    }

    /**
     * @param membership the cluster's member list at the end (empty if no member answered it)
     * @param notBack    members that did not serve again after the faults, with why
     */
    static RunReport run(final ChaosOptions options, final Workload workload, final List<FinalState> finals,
                         final List<Member> membership, final List<String> notBack, final Map<FaultKind, Long> faults,
                         final List<String> timeline) {
        final List<String> summary = new ArrayList<>();
        final List<String> violations = new ArrayList<>();
        notBack.forEach(member -> violations.add("recovery: " + member));
        final List<String> membershipProblems = membershipProblems(options.members(), membership);
        summary.add("membership: " + membership.size() + " members at the end ("
            + membership.stream().map(member -> (member.getName().isEmpty() ? "(unstarted)" : member.getName()) + " "
                + Long.toHexString(member.getID())).collect(Collectors.joining(", ")) + ")"
            + (membershipProblems.isEmpty() ? "" : ": " + membershipProblems.size() + " problems"));
        membershipProblems.forEach(problem -> violations.add("membership: " + problem));
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
     * What is wrong with the cluster's final member list: replacements must leave it as it began,
     * {@code members} members named m1..mN, each started (a member added but never started has no
     * name), whatever their ids now are.
     */
    static List<String> membershipProblems(final int members, final List<Member> membership) {
        final List<String> problems = new ArrayList<>();
        if (membership.isEmpty()) {
            problems.add("no member answered MemberList at the end");
            return problems;
        }
        if (membership.size() != members) {
            problems.add("the cluster ended with " + membership.size() + " members, not its initial " + members);
        }
        final Set<String> names = new TreeSet<>();
        for (final Member member : membership) {
            if (member.getName().isEmpty()) {
                problems.add("member " + Long.toHexString(member.getID()) + " " + member.getPeerURLsList()
                    + " was added but never started");
            } else {
                names.add(member.getName());
            }
        }
        for (int m = 1; m <= members; m++) {
            if (!names.contains(Records.memberName(m))) {
                problems.add(Records.memberName(m) + " is not a started member at the end");
            }
        }
        return problems;
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
