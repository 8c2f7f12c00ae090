package io.cairn.chaos.linearizability;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Says why one key's operations are not linearizable, the way Porcupine's partial linearizations
 * do: the longest order of some of them that the model accepts, and the operations that could
 * have come next (called before the first unplaced one returned), none of which leads anywhere.
 */
final class Explanation {
    /** Only the end of a long prefix is shown: the failure is where it stops. */
    private static final int PREFIX_LINES_MAX = 20;
    /** A key's whole history is shown only when it is short enough to read. */
    private static final int KEY_LINES_MAX = 60;

    private Explanation() {
    }

    static String notLinearizable(final String key, final List<Operation> keyOperations,
        final List<Operation> longestPrefix, final List<Operation> smallest, final long historyStartNanos) {
        final StringBuilder out = new StringBuilder();
        out.append("key ").append(key).append(": not linearizable (").append(keyOperations.size())
            .append(" operations on it; times in ms after the history's first call)\n");
        out.append("  smallest failing slice found: ").append(smallest.size()).append(" of ")
            .append(keyOperations.size()).append(" operations, which no order explains on their own:\n")
            .append(HistoryFormat.format(smallest, historyStartNanos, "    "));
        out.append("  longest linearizable prefix found: ").append(longestPrefix.size()).append(" of ")
            .append(keyOperations.size()).append(" operations, in order, each with the value after it:\n");
        KeyModel.State state = KeyModel.State.ABSENT;
        for (int i = 0; i < longestPrefix.size(); i++) {
            final Operation operation = longestPrefix.get(i);
            state = KeyModel.step(state, operation.input(), operation.output()).next();
            if (i == longestPrefix.size() - PREFIX_LINES_MAX) {
                out.append("    ... ").append(i).append(" earlier\n");
            }
            if (i >= longestPrefix.size() - PREFIX_LINES_MAX) {
                out.append("    ").append(HistoryFormat.line(operation, historyStartNanos))
                    .append("   => ").append(state).append('\n');
            }
        }
        out.append("  value after the prefix: ").append(state)
            .append("; none of the operations that could come next can be placed:\n");
        for (final Operation candidate : candidates(keyOperations, longestPrefix)) {
            final boolean fits = KeyModel.step(state, candidate.input(), candidate.output()).ok();
            out.append("    ").append(HistoryFormat.line(candidate, historyStartNanos))
                .append(fits ? "   fits, but no order of the rest follows it" : "   does not fit " + state)
                .append('\n');
        }
        if (keyOperations.size() <= KEY_LINES_MAX) {
            out.append("  all operations on ").append(key).append(":\n")
                .append(HistoryFormat.format(keyOperations, historyStartNanos, "    "));
        }
        return out.toString();
    }

    /** The unplaced operations called no later than the first unplaced one returned. */
    private static List<Operation> candidates(final List<Operation> keyOperations, final List<Operation> placed) {
        // By identity: two operations may be equal as values (same client, times, input, output).
        final Set<Operation> placedSet = Collections.newSetFromMap(new IdentityHashMap<>());
        placedSet.addAll(placed);
        final List<Operation> unplaced = keyOperations.stream()
            .filter(operation -> !placedSet.contains(operation)).toList();
        final long firstReturnNanos = unplaced.stream().mapToLong(Operation::returnNanos).min().orElse(0);
        final List<Operation> candidates = new ArrayList<>();
        for (final Operation operation : unplaced) {
            if (operation.callNanos() <= firstReturnNanos) {
                candidates.add(operation);
            }
        }
        return candidates;
    }
}
