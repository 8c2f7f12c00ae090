package io.cairn.chaos.run;

import io.cairn.chaos.fault.FaultKind;
import java.util.List;
import java.util.Map;

/**
 * What a run did and what the checks found.
 *
 * @param operations  KV operations recorded (linearizability history), serializable reads and watch events aside
 * @param violations  each check's findings, empty when the run passed
 * @param summary     one line per check with what it covered
 */
public record RunReport(String server, long seed, long operations, Map<FaultKind, Long> faults,
                        List<String> summary, List<String> violations) {
    public boolean passed() {
        return violations.isEmpty();
    }

    @Override
    public String toString() {
        final StringBuilder text = new StringBuilder();
        text.append(server).append(", seed ").append(seed).append(": ").append(operations).append(" operations; faults ")
            .append(faults).append('\n');
        for (final String line : summary) {
            text.append("  ").append(line).append('\n');
        }
        text.append(passed() ? "PASSED" : "VIOLATIONS (" + violations.size() + "):").append('\n');
        for (final String violation : violations) {
            text.append(violation.indent(2));
        }
        return text.toString();
    }
}
