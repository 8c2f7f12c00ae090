package io.cairn.chaos.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

/**
 * Short constructors for hand-made histories. Times are small integers (nanoseconds) chosen to
 * make the order plain; ids count up.
 */
final class Facts {
    private static long nextId;

    private Facts() {
    }

    static KvWrite put(final String member, final String key, final String value, final long revision,
        final long invokedNanos, final long completedNanos) {
        return KvWrite.acknowledged(nextId++, member, Mutation.put(key, value), revision,
            new Span(invokedNanos, completedNanos));
    }

    static KvWrite leasedPut(final String member, final String key, final String value, final long leaseId,
        final long revision, final long invokedNanos, final long completedNanos) {
        return KvWrite.acknowledged(nextId++, member, Mutation.put(key, value, leaseId), revision,
            new Span(invokedNanos, completedNanos));
    }

    static KvWrite delete(final String member, final String key, final long headerRevision, final long deleted,
        final long invokedNanos, final long completedNanos) {
        return KvWrite.deleteAcknowledged(nextId++, member, key, headerRevision, deleted,
            new Span(invokedNanos, completedNanos));
    }

    static KvWrite indeterminatePut(final String member, final String key, final String value,
        final long invokedNanos) {
        return KvWrite.indeterminate(nextId++, member, Mutation.put(key, value), invokedNanos);
    }

    static KvWrite failedPut(final String member, final String key, final String value, final long invokedNanos,
        final long completedNanos) {
        return KvWrite.failed(nextId++, member, Mutation.put(key, value), new Span(invokedNanos, completedNanos));
    }

    static KvRead serializable(final String member, final String key, final String value, final long modRevision,
        final long headerRevision, final long invokedNanos, final long completedNanos) {
        return read(member, key, Consistency.SERIALIZABLE, value, modRevision, headerRevision, invokedNanos,
            completedNanos);
    }

    static KvRead linearizable(final String member, final String key, final String value, final long modRevision,
        final long headerRevision, final long invokedNanos, final long completedNanos) {
        return read(member, key, Consistency.LINEARIZABLE, value, modRevision, headerRevision, invokedNanos,
            completedNanos);
    }

    /** A read; a null value means the key was absent. */
    static KvRead read(final String member, final String key, final Consistency consistency, final String value,
        final long modRevision, final long headerRevision, final long invokedNanos, final long completedNanos) {
        final Span span = new Span(invokedNanos, completedNanos);
        return value == null
            ? KvRead.absent(nextId++, member, key, consistency, headerRevision, span)
            : KvRead.present(nextId++, member, key, consistency, value, modRevision, headerRevision, span);
    }

    static WatchLog watch(final String member, final KeyRange range, final long startRevision,
        final WatchEvent... events) {
        return new WatchLog(nextId++, member, range, startRevision, List.of(events), WatchEnd.OPEN);
    }

    static FinalState finalState(final String member, final long revision, final Map<String, Stored> keys) {
        return new FinalState(member, revision, keys, null);
    }

    static Stored stored(final String value, final long modRevision) {
        return new Stored(value, modRevision);
    }

    static CheckResult passes(final CheckResult result) {
        assertTrue(result.passed(), () -> "expected no violations, got:\n" + new Report(List.of(result)));
        return result;
    }

    /**
     * The result has exactly {@code count} violations and the first one's statement contains
     * {@code statement}; the report is printed, to show what a reader of a failed run sees.
     */
    static CheckResult fails(final CheckResult result, final int count, final String statement) {
        final String report = new Report(List.of(result)).toString();
        System.out.println(report);
        assertEquals(count, result.violationCount(), report);
        assertTrue(result.violations().getFirst().statement().contains(statement), report);
        return result;
    }
}
