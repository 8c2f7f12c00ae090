package io.cairn.chaos.check;

import java.util.ArrayList;
import java.util.List;

/**
 * One check's outcome.
 *
 * @param checked how much it looked at, in words ("1200 events in 6 watches")
 * @param violations the first {@link #VIOLATIONS_KEPT_MAX} violations found, in the order found
 * @param violationCount all violations found: a systematic bug breaks thousands of times, and
 *     keeping each one's slice would cost more memory than it tells
 */
public record CheckResult(String check, String checked, List<Violation> violations, long violationCount) {
    public static final int VIOLATIONS_KEPT_MAX = 1000;

    public CheckResult {
        violations = List.copyOf(violations);
    }

    public boolean passed() {
        return violationCount == 0;
    }

    /** Gathers one check's violations, keeping the first few in full. */
    static final class Collector {
        private final String check;
        private final List<Violation> kept = new ArrayList<>();
        private long count;

        Collector(final String check) {
            this.check = check;
        }

        void add(final String statement, final List<String> slice) {
            count++;
            if (kept.size() < VIOLATIONS_KEPT_MAX) {
                kept.add(new Violation(check, statement, slice));
            }
        }

        CheckResult result(final String checked) {
            return new CheckResult(check, checked, kept, count);
        }
    }
}
