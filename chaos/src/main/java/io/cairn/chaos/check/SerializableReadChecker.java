package io.cairn.chaos.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks reads against what every member may answer, however stale: a read shows a state the
 * cluster really had at its header revision, and a member's revision never goes back.
 *
 * <ul>
 * <li>Every value read was written by some write at its mod_revision (acknowledged, or
 *     indeterminate and then committed once): no member serves a write that was never committed.
 * <li>The state is the one at the header revision: mod_revision is at most the header revision,
 *     no acknowledged write to the key lies between them, and a key read as absent was deleted
 *     after its last acknowledged put up to the header revision (by a delete that was sent or a
 *     lease that ended).
 * <li>Serializable reads of one member, in real time (one returned before the other was sent),
 *     have non-decreasing header revisions within one run of the member's process: a restart may
 *     start again from an older applied state. Linearizable reads, through the leader's
 *     ReadIndex, have non-decreasing header revisions across all members.
 * </ul>
 * The first two hold for both read modes and are checked on all reads. O(n log n).
 */
public final class SerializableReadChecker {
    public static final String NAME = "reads";

    /** The reads that must be monotonic among themselves: one run of one member's process, or all linearizable reads. */
    private record Group(String member, int run) {
    }

    private SerializableReadChecker() {
    }

    public static CheckResult check(final RunHistory history) {
        return check(history, HistoryIndexes.of(history));
    }

    static CheckResult check(final RunHistory history, final HistoryIndexes indexes) {
        final WriteIndex writes = indexes.writes();
        final LeaseIndex leases = indexes.leases();
        final Provenance provenance = new Provenance(writes);
        final Lines lines = indexes.lines();
        final CheckResult.Collector violations = new CheckResult.Collector(NAME);
        for (final KvRead read : history.reads()) {
            if (read.found()) {
                checkValue(read, writes, provenance, lines, violations);
            } else {
                checkAbsence(read, writes, leases, lines, violations);
            }
        }
        final Restarts restarts = new Restarts(history.restarts());
        final Map<Group, List<KvRead>> groups = new HashMap<>();
        for (final KvRead read : history.reads()) {
            final Group group = read.consistency() == Consistency.LINEARIZABLE ? new Group("", 0)
                : new Group(read.member(), restarts.run(read.member(), read.span().invokedNanos()));
            groups.computeIfAbsent(group, key -> new ArrayList<>()).add(read);
        }
        for (final Map.Entry<Group, List<KvRead>> group : groups.entrySet()) {
            checkMonotonic(group.getKey(), group.getValue(), restarts, lines, violations);
        }
        return violations.result(history.reads().size() + " reads in " + groups.size()
            + " monotonic groups (member runs, and linearizable)");
    }

    private static void checkValue(final KvRead read, final WriteIndex writes, final Provenance provenance,
        final Lines lines, final CheckResult.Collector violations) {
        if (read.modRevision() > read.headerRevision()) {
            violations.add("a read's value is newer than its own header revision", List.of(lines.read(read)));
        }
        final Provenance.Found found = provenance.explain(read.key(), ChangeType.PUT, read.value(),
            read.modRevision(), false);
        if (!found.possible()) {
            final List<String> slice = new ArrayList<>();
            slice.add(lines.read(read));
            found.writes().forEach(write -> slice.add(lines.write(write)));
            violations.add("a read returned a value never committed at its mod_revision: " + Provenance.why(found),
                slice);
        }
        final KvWrite missed = writes.firstAcknowledgedBetween(read.key(), read.modRevision(), read.headerRevision());
        if (missed != null) {
            violations.add("a read's value was overwritten at or before its own header revision",
                List.of(lines.read(read), lines.write(missed)));
        }
    }

    private static void checkAbsence(final KvRead read, final WriteIndex writes, final LeaseIndex leases,
        final Lines lines, final CheckResult.Collector violations) {
        final KvWrite last = writes.lastAcknowledgedAtOrBefore(read.key(), read.headerRevision());
        if (Absence.explained(read.key(), last, writes, leases)) {
            return;
        }
        violations.add("a read found the key absent though an acknowledged put at or before its header revision"
            + " was never deleted", List.of(lines.read(read), lines.write(last)));
    }

    /**
     * Sweeps the group's reads in invocation order while adding, in completion order, the reads
     * that returned before each was sent: the highest header revision among those is the least
     * this one may show.
     */
    private static void checkMonotonic(final Group group, final List<KvRead> reads, final Restarts restarts,
        final Lines lines, final CheckResult.Collector violations) {
        final KvRead[] byInvocation = reads.toArray(KvRead[]::new);
        Arrays.sort(byInvocation, Comparator.comparingLong(read -> read.span().invokedNanos()));
        final KvRead[] byCompletion = reads.toArray(KvRead[]::new);
        Arrays.sort(byCompletion, Comparator.comparingLong(read -> read.span().completedNanos()));
        KvRead highest = null;
        int completed = 0;
        for (final KvRead read : byInvocation) {
            while (completed < byCompletion.length && byCompletion[completed].span().precedes(read.span())) {
                final KvRead earlier = byCompletion[completed++];
                // A serializable read that spanned its member's restart bounds nothing after it.
                final boolean sameRun = read.consistency() == Consistency.LINEARIZABLE
                    || restarts.run(group.member(), earlier.span().completedNanos()) == group.run();
                if (sameRun && (highest == null || earlier.headerRevision() > highest.headerRevision())) {
                    highest = earlier;
                }
            }
            if (highest != null && read.headerRevision() < highest.headerRevision()) {
                violations.add(read.consistency() == Consistency.LINEARIZABLE
                        ? "a linearizable read saw an older revision than one that returned before it was sent"
                        : "a serializable read on " + group.member() + " saw an older revision than one that"
                            + " returned before it was sent, with no restart of the member between",
                    List.of(lines.read(highest), lines.read(read)));
            }
        }
    }

    /** Each member's restart times, to number the runs of its process. */
    private static final class Restarts {
        private final Map<String, long[]> timesByMember = new HashMap<>();

        Restarts(final List<MemberRestart> restarts) {
            final Map<String, List<Long>> lists = new HashMap<>();
            for (final MemberRestart restart : restarts) {
                lists.computeIfAbsent(restart.member(), member -> new ArrayList<>()).add(restart.atNanos());
            }
            lists.forEach((member, times) ->
                timesByMember.put(member, times.stream().mapToLong(Long::longValue).sorted().toArray()));
        }

        /** Which run of {@code member}'s process was up at {@code nanos}: the number of restarts before. */
        int run(final String member, final long nanos) {
            final long[] times = timesByMember.get(member);
            if (times == null) {
                return 0;
            }
            final int found = Arrays.binarySearch(times, nanos);
            // A restart at exactly nanos has begun the new run.
            return found >= 0 ? found + 1 : -found - 1;
        }
    }
}
