package io.cairn.chaos.linearizability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Checks a history of operations on etcd-like keys for linearizability, one key at a time: keys
 * are independent registers, and a history is linearizable exactly when each key's part is
 * (Herlihy and Wing's locality), which turns one search exponential in the whole history into one
 * per key. The search is bounded in time: one that runs out says {@link Verdict#UNKNOWN}.
 */
public final class LinearizabilityChecker {
    /** The default bound on the whole check. */
    public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(10);
    /** The most a failed key's shrinking to its smallest failing slice takes. */
    static final Duration SHRINK_BUDGET = Duration.ofSeconds(10);

    public enum Verdict {
        LINEARIZABLE,
        NOT_LINEARIZABLE,
        /** The bound ran out before every key was decided, and no key was found not linearizable. */
        UNKNOWN
    }

    /**
     * @param failedKeys the keys found not linearizable, in key order
     * @param undecidedKeys the keys whose search ran out of time (or never started)
     * @param explanation one line when linearizable; otherwise what went wrong on each failed key
     */
    public record Result(Verdict verdict, List<String> failedKeys, List<String> undecidedKeys, String explanation) {
        public boolean linearizable() {
            return verdict == Verdict.LINEARIZABLE;
        }

        @Override
        public String toString() {
            return explanation;
        }
    }

    private LinearizabilityChecker() {
    }

    public static Result check(final History history) {
        return check(history.operations(), DEFAULT_BUDGET);
    }

    public static Result check(final History history, final Duration budget) {
        return check(history.operations(), budget);
    }

    public static Result check(final List<Operation> operations) {
        return check(operations, DEFAULT_BUDGET);
    }

    /** Checks {@code operations}, giving up (UNKNOWN) on the keys not decided within {@code budget}. */
    public static Result check(final List<Operation> operations, final Duration budget) {
        final long startedNanos = System.nanoTime();
        final long deadlineNanos = startedNanos + budget.toNanos();
        final long historyStartNanos = HistoryFormat.startNanos(operations);
        final List<String> failed = new ArrayList<>();
        final List<String> undecided = new ArrayList<>();
        final StringBuilder explanation = new StringBuilder();
        long steps = 0;
        final Map<String, List<Operation>> byKey = byKey(operations);
        for (final Map.Entry<String, List<Operation>> key : byKey.entrySet()) {
            final KeySearch.Found found = KeySearch.search(key.getValue(), deadlineNanos);
            steps += found.steps();
            switch (found.outcome()) {
                case LINEARIZABLE -> {
                }
                case NOT_LINEARIZABLE -> {
                    failed.add(key.getKey());
                    final long shrinkDeadlineNanos = Math.min(deadlineNanos,
                        System.nanoTime() + SHRINK_BUDGET.toNanos());
                    explanation.append(Explanation.notLinearizable(key.getKey(), key.getValue(), found.longestPrefix(),
                        Shrink.smallest(key.getValue(), shrinkDeadlineNanos), historyStartNanos));
                }
                case OUT_OF_TIME -> undecided.add(key.getKey());
            }
        }
        final Verdict verdict = !failed.isEmpty() ? Verdict.NOT_LINEARIZABLE
            : !undecided.isEmpty() ? Verdict.UNKNOWN : Verdict.LINEARIZABLE;
        final String summary = verdict + ": " + count(operations.size(), "operation") + " on "
            + count(byKey.size(), "key") + ", " + failed.size() + " not linearizable, "
            + undecided.size() + " undecided within " + budget
            + (undecided.isEmpty() ? "" : " " + undecided) + "; " + steps + " search steps in "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos) + " ms\n";
        return new Result(verdict, List.copyOf(failed), List.copyOf(undecided), summary + explanation);
    }

    private static String count(final int count, final String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }

    /**
     * Each key's operations; a read whose outcome is unknown is left out, since it changed
     * nothing and showed nothing.
     */
    private static Map<String, List<Operation>> byKey(final List<Operation> operations) {
        final Map<String, List<Operation>> byKey = new TreeMap<>();
        for (final Operation operation : operations) {
            if (!(operation.outcomeUnknown() && operation.input().readOnly())) {
                byKey.computeIfAbsent(operation.key(), key -> new ArrayList<>()).add(operation);
            }
        }
        return byKey;
    }
}
