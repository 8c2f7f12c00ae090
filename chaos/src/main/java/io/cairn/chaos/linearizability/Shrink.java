package io.cairn.chaos.linearizability;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Shrinks one key's non-linearizable operations to a small subset that is still not linearizable:
 * the slice of history a reader needs to see the violation (often three operations: two writes
 * and the stale read). Delta debugging: leave out chunks, halving their size, for as long as the
 * rest still fails; at chunks of one, what is left is 1-minimal (leaving out any single operation
 * that may be left out makes it linearizable).
 *
 * <p>An operation whose value a kept read (or successful compare-and-swap) shows is never left
 * out: without it the read would fail for the trivial reason that nothing wrote its value, and
 * the slice would hide the real one.
 */
final class Shrink {
    private Shrink() {
    }

    /**
     * @param operations one key's operations, not linearizable
     * @return the smallest failing subset found by {@code deadlineNanos} (System.nanoTime), in the given order
     */
    static List<Operation> smallest(final List<Operation> operations, final long deadlineNanos) {
        List<Operation> current = operations;
        int chunk = Math.max(1, current.size() / 2);
        while (System.nanoTime() - deadlineNanos < 0) {
            boolean shrank = false;
            int start = 0;
            while (start < current.size() && System.nanoTime() - deadlineNanos < 0) {
                final List<Operation> candidate = new ArrayList<>(current.subList(0, start));
                candidate.addAll(current.subList(Math.min(current.size(), start + chunk), current.size()));
                if (everyShownValueWritten(candidate) && fails(candidate, deadlineNanos)) {
                    current = candidate;
                    shrank = true;
                } else {
                    start += chunk;
                }
            }
            if (!shrank) {
                if (chunk == 1) {
                    break;
                }
                chunk = Math.max(1, chunk / 2);
            }
        }
        return current;
    }

    private static boolean fails(final List<Operation> operations, final long deadlineNanos) {
        return KeySearch.search(operations, deadlineNanos).outcome() == KeySearch.Outcome.NOT_LINEARIZABLE;
    }

    /** Whether every value a read or a successful compare-and-swap shows is written by one of the operations. */
    static boolean everyShownValueWritten(final List<Operation> operations) {
        final Set<String> written = new HashSet<>();
        for (final Operation operation : operations) {
            switch (operation.input()) {
                case Input.Put put -> written.add(put.value());
                case Input.Cas cas -> written.add(cas.value());
                case Input.Get _, Input.Delete _ -> { }
            }
        }
        for (final Operation operation : operations) {
            final String shown = switch (operation.output()) {
                case Output.Read read -> read.value();
                case Output.Swapped swapped when swapped.succeeded() -> ((Input.Cas) operation.input()).expected();
                case null, default -> null;
            };
            if (shown != null && !written.contains(shown)) {
                return false;
            }
        }
        return true;
    }
}
