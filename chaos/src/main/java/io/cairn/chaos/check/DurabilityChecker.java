package io.cairn.chaos.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Checks the members' final states against the writes: no acknowledged write is lost and every
 * member converged on the same history.
 *
 * <ul>
 * <li>The write history itself is coherent: no two acknowledged writes claim one key at one revision.
 * <li>All members end at the same revision, at least the highest acknowledged one, and members
 *     that gave a HashKV at the same revision and the same compact revision gave the same hash
 *     (HashKV covers the history after the compact revision; etcd's own corruption check compares
 *     only such pairs).
 * <li>Per key, all members hold the same value and mod_revision, and that is the key's last
 *     write: at least the revision of its last acknowledged write, the very value written there
 *     if equal, else an indeterminate write of that value that thereby committed. A key absent at
 *     the end was last deleted: by an acknowledged delete, an indeterminate one, or its lease's end.
 * </ul>
 * A member that was replaced ({@link MemberRestart#wiped}) lost everything it held by design and
 * started again empty: nothing it held before counts, and nothing is excused either. It is judged,
 * like every member, on its final state, which must hold every acknowledged write: it caught up
 * from the others, by log or by snapshot.
 * O(n log n) in writes plus keys times members.
 */
public final class DurabilityChecker {
    public static final String NAME = "durability";

    private DurabilityChecker() {
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
        for (final KvWrite[] conflict : writes.conflicts()) {
            violations.add("two acknowledged writes claim " + conflict[0].key() + " at revision "
                + conflict[0].revision(), List.of(lines.write(conflict[0]), lines.write(conflict[1])));
        }
        final List<FinalState> finals = history.finalStates();
        checkRevisions(finals, writes, lines, violations);
        checkHashes(finals, violations);
        final TreeSet<String> keys = new TreeSet<>(writes.keys());
        finals.forEach(state -> keys.addAll(state.keys().keySet()));
        if (!finals.isEmpty()) {
            for (final String key : keys) {
                checkKey(key, finals, writes, leases, provenance, lines, violations);
            }
        }
        final long replaced = history.restarts().stream().filter(MemberRestart::wiped).count();
        return violations.result(keys.size() + " keys on " + finals.size() + " members against "
            + history.writes().size() + " writes" + (replaced == 0 ? "" : ", " + replaced
            + " replacements (data wiped) judged on their final state"));
    }

    private static void checkRevisions(final List<FinalState> finals, final WriteIndex writes, final Lines lines,
        final CheckResult.Collector violations) {
        if (finals.stream().mapToLong(FinalState::revision).distinct().count() > 1) {
            violations.add("members ended at different revisions",
                finals.stream().map(state -> state.member() + " at revision " + state.revision()).toList());
        }
        final List<KvWrite> acknowledged = writes.acknowledgedInOrder();
        for (final FinalState state : finals) {
            if (!acknowledged.isEmpty() && state.revision() < writes.maxAcknowledgedRevision()) {
                violations.add(state.member() + " ended at revision " + state.revision()
                    + ", below an acknowledged write's", List.of(lines.write(acknowledged.getLast())));
            }
        }
    }

    /**
     * HashKV covers the history from its compact revision up to its revision, so only hashes with
     * both equal compare: a member that caught up by snapshot may hold the history from a later
     * compaction than the others.
     */
    private static void checkHashes(final List<FinalState> finals, final CheckResult.Collector violations) {
        final Map<List<Long>, List<FinalState>> byRevisions = new HashMap<>();
        for (final FinalState state : finals) {
            if (state.hashKv() != null) {
                byRevisions.computeIfAbsent(List.of(state.hashKv().revision(), state.hashKv().compactRevision()),
                    revisions -> new ArrayList<>()).add(state);
            }
        }
        for (final Map.Entry<List<Long>, List<FinalState>> group : byRevisions.entrySet()) {
            if (group.getValue().stream().map(state -> state.hashKv().hash()).distinct().count() > 1) {
                violations.add("members' HashKV at revision " + group.getKey().get(0) + " (compacted at "
                    + group.getKey().get(1) + ") differ",
                    group.getValue().stream().map(state -> state.member() + ": hash "
                        + Long.toHexString(state.hashKv().hash()) + " (compacted at "
                        + state.hashKv().compactRevision() + ")").toList());
            }
        }
    }

    private static void checkKey(final String key, final List<FinalState> finals, final WriteIndex writes,
        final LeaseIndex leases, final Provenance provenance, final Lines lines,
        final CheckResult.Collector violations) {
        // Members holding the same thing are judged once, and named together.
        final Map<Optional<Stored>, List<String>> holders = new LinkedHashMap<>();
        for (final FinalState state : finals) {
            holders.computeIfAbsent(Optional.ofNullable(state.keys().get(key)), stored -> new ArrayList<>())
                .add(state.member());
        }
        if (holders.size() > 1) {
            violations.add("members disagree on " + key + " at the end",
                holders.entrySet().stream().map(group -> held(key, group.getKey(), group.getValue())).toList());
        }
        final KvWrite last = writes.lastAcknowledged(key);
        for (final Map.Entry<Optional<Stored>, List<String>> group : holders.entrySet()) {
            final String held = held(key, group.getKey(), group.getValue());
            if (group.getKey().isPresent()) {
                final Stored stored = group.getKey().get();
                if (last != null && stored.modRevision() < last.revision()) {
                    violations.add("an acknowledged write to " + key + " is lost: a member holds an older one",
                        List.of(held, lines.write(last)));
                    continue;
                }
                final Provenance.Found found = provenance.explain(key, ChangeType.PUT, stored.value(),
                    stored.modRevision(), false);
                if (!found.possible()) {
                    final List<String> slice = new ArrayList<>();
                    slice.add(held);
                    found.writes().forEach(write -> slice.add(lines.write(write)));
                    violations.add("a member holds a value of " + key + " never committed at its mod_revision: "
                        + Provenance.why(found), slice);
                }
            } else if (!Absence.explained(key, last, writes, leases)) {
                violations.add("an acknowledged put to " + key + " is lost: the key is absent and nothing deleted it",
                    List.of(held, lines.write(last)));
            }
        }
    }

    private static String held(final String key, final Optional<Stored> stored, final List<String> members) {
        return "final state of " + String.join(", ", members) + ": " + key + " = "
            + stored.map(Stored::toString).orElse("absent");
    }
}
