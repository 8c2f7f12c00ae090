package io.cairn.chaos.check;

import java.util.List;

/** The verdict on a run: every check's result, printable as a compact summary. */
public record Report(List<CheckResult> results) {
    /** A summary prints this many violations per check in full; the rest are counted. */
    public static final int VIOLATIONS_SHOWN_MAX = 10;

    public Report {
        results = List.copyOf(results);
    }

    public boolean passed() {
        return results.stream().allMatch(CheckResult::passed);
    }

    public long violationCount() {
        return results.stream().mapToLong(CheckResult::violationCount).sum();
    }

    /**
     * The summary: one line for the verdict, one per check with what it looked at, and each
     * failed check's first violations with their slices of history.
     */
    @Override
    public String toString() {
        final long failedChecks = results.stream().filter(result -> !result.passed()).count();
        final StringBuilder out = new StringBuilder(passed()
            ? "PASSED: " + results.size() + " checks, no violations\n"
            : "FAILED: " + violations(violationCount()) + " in " + failedChecks + " of " + results.size()
                + " checks\n");
        for (final CheckResult result : results) {
            out.append("  ").append(result.check()).append(": checked ").append(result.checked()).append(", ")
                .append(result.passed() ? "ok" : violations(result.violationCount())).append('\n');
            final List<Violation> shown = result.violations().subList(0,
                Math.min(VIOLATIONS_SHOWN_MAX, result.violations().size()));
            for (final Violation violation : shown) {
                out.append("    - ").append(violation.statement()).append('\n');
                for (final String line : violation.slice()) {
                    out.append("        ").append(line).append('\n');
                }
            }
            if (result.violationCount() > shown.size()) {
                out.append("    ... ").append(result.violationCount() - shown.size()).append(" more\n");
            }
        }
        return out.toString();
    }

    private static String violations(final long count) {
        return count + (count == 1 ? " violation" : " violations");
    }
}
