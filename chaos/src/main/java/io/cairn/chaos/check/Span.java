package io.cairn.chaos.check;

/**
 * When a client operation was in flight, on one {@link System#nanoTime()}-style clock shared by the
 * whole run: read just before the request was sent and just after its answer arrived, so the real
 * interval lies inside. An operation that never answered has {@link #NEVER} as its completion.
 */
public record Span(long invokedNanos, long completedNanos) {
    public static final long NEVER = Long.MAX_VALUE;

    public Span {
        if (completedNanos < invokedNanos) {
            throw new IllegalArgumentException("completed (" + completedNanos + ") before invoked (" + invokedNanos + ")");
        }
    }

    /** An operation sent at {@code invokedNanos} whose answer never came. */
    public static Span unanswered(final long invokedNanos) {
        return new Span(invokedNanos, NEVER);
    }

    public boolean answered() {
        return completedNanos != NEVER;
    }

    /** Whether this operation returned before {@code later} was sent: real time orders them. */
    public boolean precedes(final Span later) {
        return completedNanos < later.invokedNanos;
    }
}
