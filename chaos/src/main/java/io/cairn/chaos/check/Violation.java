package io.cairn.chaos.check;

import java.util.List;
import java.util.Objects;

/**
 * One broken guarantee: what was broken, and the few history lines that show it (the offending
 * operation or event and what it contradicts), times in ms after the run's first invocation.
 */
public record Violation(String check, String statement, List<String> slice) {
    public Violation {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(statement, "statement");
        slice = List.copyOf(slice);
    }

    @Override
    public String toString() {
        final StringBuilder out = new StringBuilder(check).append(": ").append(statement);
        for (final String line : slice) {
            out.append("\n    ").append(line);
        }
        return out.toString();
    }
}
