package io.cairn.chaos.linearizability;

/**
 * One client operation as it was seen from outside: when it was called, when it returned, what it
 * asked and what it got. Times are {@link System#nanoTime()}-style, from one clock.
 *
 * <p>An operation whose outcome is unknown (a timeout, a leader change after the request may have
 * been applied) never returned: {@code returnNanos == Long.MAX_VALUE} and {@code output == null}.
 * It may take effect at any point after its call, or never; even an error answer does not bound
 * it, since the request may still be applied after the client gave up.
 *
 * @param id the recorder's id, to find the operation in a dump
 * @param client who issued it, for the dump only (real time alone orders operations)
 */
public record Operation(long id, int client, long callNanos, long returnNanos, Input input, Output output) {
    public static final long NEVER_RETURNED = Long.MAX_VALUE;

    public Operation {
        if (input == null) {
            throw new IllegalArgumentException("operation " + id + " has no input");
        }
        if ((output == null) != (returnNanos == NEVER_RETURNED)) {
            throw new IllegalArgumentException("operation " + id + ": an output goes with a return time and"
                + " an unknown outcome with none (Long.MAX_VALUE)");
        }
        if (returnNanos < callNanos) {
            throw new IllegalArgumentException("operation " + id + " returned before it was called");
        }
        if (output != null && !input.accepts(output)) {
            throw new IllegalArgumentException("operation " + id + ": " + output + " is no answer to " + input);
        }
    }

    /** An operation that returned {@code output}. */
    public static Operation ok(final long id, final int client, final long callNanos, final long returnNanos,
        final Input input, final Output output) {
        return new Operation(id, client, callNanos, returnNanos, input, output);
    }

    /** An operation that may have taken effect at any point after {@code callNanos}, or never. */
    public static Operation unknown(final long id, final int client, final long callNanos, final Input input) {
        return new Operation(id, client, callNanos, NEVER_RETURNED, input, null);
    }

    public boolean outcomeUnknown() {
        return output == null;
    }

    public String key() {
        return input.key();
    }

    @Override
    public String toString() {
        return HistoryFormat.line(this, 0);
    }
}
