package io.cairn.chaos.linearizability;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A compact dump of operations, one a line, sorted by call time, times in milliseconds after the
 * history's first call, e.g. {@code #12 c3 [+1.204 .. +3.310 ms] put(k1, "v7") -> ok@41}; an
 * operation whose outcome is unknown shows {@code .. ?]} and {@code -> ?}.
 */
public final class HistoryFormat {
    private HistoryFormat() {
    }

    /** All of {@code operations}, times relative to the first call among them. */
    public static String format(final List<Operation> operations) {
        return format(operations, startNanos(operations), "");
    }

    /** {@code operations}, times relative to {@code startNanos}, each line starting with {@code indent}. */
    public static String format(final List<Operation> operations, final long startNanos, final String indent) {
        final StringBuilder out = new StringBuilder();
        operations.stream()
            .sorted(Comparator.comparingLong(Operation::callNanos).thenComparingLong(Operation::id))
            .forEach(operation -> out.append(indent).append(line(operation, startNanos)).append('\n'));
        return out.toString();
    }

    /** The earliest call time, the zero of a dump; 0 for no operations. */
    public static long startNanos(final List<Operation> operations) {
        return operations.stream().mapToLong(Operation::callNanos).min().orElse(0);
    }

    /** One operation, times relative to {@code startNanos}. */
    public static String line(final Operation operation, final long startNanos) {
        return "#" + operation.id() + " c" + operation.client()
            + " [" + millis(operation.callNanos() - startNanos) + " .. "
            + (operation.outcomeUnknown() ? "?" : millis(operation.returnNanos() - startNanos)) + " ms] "
            + operation.input() + " -> " + (operation.outcomeUnknown() ? "?" : operation.output());
    }

    private static String millis(final long nanos) {
        return String.format(Locale.ROOT, "%+.3f", nanos / 1e6);
    }
}
