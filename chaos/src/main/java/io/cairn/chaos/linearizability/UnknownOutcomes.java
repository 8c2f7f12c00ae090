package io.cairn.chaos.linearizability;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Settles the writes of unknown outcome that the store's own record of changes settles: a put or
 * compare-and-swap writes a value no other write writes, so if that value appears among the
 * applied changes (the watches' events, which are checked on their own) the write took effect, at
 * that revision, and if it never appears the write had no effect at all.
 *
 * <p>Why: an unknown write stays open to the end of the history, and a search with hundreds of
 * them open on one key tries them in every combination; an hour-long run has thousands. etcd's
 * robustness tests settle them the same way, from the persisted requests.
 *
 * <ul>
 *   <li>Applied at revision R: acknowledged; it returned, at the latest, when the first write
 *       acknowledged at a revision {@code >= R} returned (revisions are applied in order, so R was
 *       applied before that answer was sent).</li>
 *   <li>Never applied: left out. It changed nothing and nobody saw an answer from it; a failed
 *       comparison is the same to every other operation as no request.</li>
 *   <li>Deletes write no value of their own, so they stay unknown.</li>
 * </ul>
 * If the changes were incomplete (a watch skipping an event), a write left out here could make a
 * read of its value fail the check: a false alarm about the watch, never a missed violation.
 */
public final class UnknownOutcomes {
    /**
     * @param operations the history with the settled writes acknowledged and the never applied ones left out
     * @param stillUnknown the writes left unknown (deletes)
     */
    public record Settled(List<Operation> operations, int applied, int neverApplied, int stillUnknown) {
        @Override
        public String toString() {
            return "unknown writes settled from the applied changes: " + applied + " applied, " + neverApplied
                + " never applied, " + stillUnknown + " still unknown (deletes)";
        }
    }

    /** A value written to a key: what a write of unknown outcome is looked up by. */
    public record KeyValue(String key, String value) {
    }

    private UnknownOutcomes() {
    }

    /**
     * @param appliedRevisions every value a change wrote to a key, with the revision it was written at
     */
    public static Settled settle(final List<Operation> operations, final Map<KeyValue, Long> appliedRevisions) {
        final NavigableMap<Long, Long> earliestReturnFromRevision = earliestReturnFromRevision(operations);
        final List<Operation> settled = new ArrayList<>(operations.size());
        int applied = 0;
        int neverApplied = 0;
        int stillUnknown = 0;
        for (final Operation operation : operations) {
            final String value = writtenValue(operation.input());
            if (!operation.outcomeUnknown() || value == null) {
                settled.add(operation);
                stillUnknown += operation.outcomeUnknown() && !operation.input().readOnly() ? 1 : 0;
                continue;
            }
            final Long revision = appliedRevisions.get(new KeyValue(operation.key(), value));
            if (revision == null) {
                neverApplied++;
                continue;
            }
            applied++;
            final Map.Entry<Long, Long> later = earliestReturnFromRevision.ceilingEntry(revision);
            final long returnNanos = later == null ? lastReturnNanos(operations)
                : Math.max(operation.callNanos(), later.getValue());
            final Output output = operation.input() instanceof Input.Put ? Output.written(revision)
                : Output.swapped(true);
            settled.add(Operation.ok(operation.id(), operation.client(), operation.callNanos(),
                Math.max(operation.callNanos(), returnNanos), operation.input(), output));
        }
        return new Settled(List.copyOf(settled), applied, neverApplied, stillUnknown);
    }

    /** The value a put or compare-and-swap writes; null for reads and deletes. */
    private static String writtenValue(final Input input) {
        return switch (input) {
            case Input.Put put -> put.value();
            case Input.Cas cas -> cas.value();
            case Input.Get _, Input.Delete _ -> null;
        };
    }

    /**
     * For each revision an acknowledged write carries, the earliest return of a write acknowledged
     * at that revision or a later one: the ceiling entry of any revision is its bound.
     */
    private static NavigableMap<Long, Long> earliestReturnFromRevision(final List<Operation> operations) {
        final TreeMap<Long, Long> byRevision = new TreeMap<>();
        for (final Operation operation : operations) {
            if (operation.output() instanceof Output.Written(final long revision) && revision > 0) {
                byRevision.merge(revision, operation.returnNanos(), Math::min);
            }
        }
        long earliest = Long.MAX_VALUE;
        for (final Map.Entry<Long, Long> entry : byRevision.descendingMap().entrySet()) {
            earliest = Math.min(earliest, entry.getValue());
            entry.setValue(earliest);
        }
        return byRevision;
    }

    private static long lastReturnNanos(final List<Operation> operations) {
        long last = Long.MIN_VALUE;
        for (final Operation operation : operations) {
            if (!operation.outcomeUnknown()) {
                last = Math.max(last, operation.returnNanos());
            }
            last = Math.max(last, operation.callNanos());
        }
        return last + 1;
    }
}
