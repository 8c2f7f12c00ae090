package io.cairn.chaos.linearizability;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A thread-safe recorder of client operations: a client calls {@link #invoke} just before it
 * sends a request and {@link #ok}, {@link #unknown} or {@link #fail} once it knows the outcome.
 *
 * <p>Times are read inside these calls, so each recorded interval contains the real one: the call
 * time is read before the request is sent and the return time after the answer arrived. A wider
 * interval only gives the checker more freedom, never a false failure.
 */
public final class History {
    private enum Outcome { PENDING, OK, UNKNOWN, FAILED }

    /** One invocation as recorded so far; guarded by the history's lock. */
    private static final class Call {
        final int client;
        final long callNanos;
        final Input input;
        Outcome outcome = Outcome.PENDING;
        long returnNanos;
        Output output;

        Call(final int client, final long callNanos, final Input input) {
            this.client = client;
            this.callNanos = callNanos;
            this.input = input;
        }
    }

    private final LongSupplier clockNanos;
    private final List<Call> calls = new ArrayList<>();

    public History() {
        this(System::nanoTime);
    }

    /** A history reading {@code clockNanos}; tests pass a fake clock. */
    public History(final LongSupplier clockNanos) {
        this.clockNanos = clockNanos;
    }

    /** Records that {@code client} is about to send {@code input}; returns the operation's id. */
    public synchronized long invoke(final int client, final Input input) {
        calls.add(new Call(client, clockNanos.getAsLong(), input));
        return calls.size() - 1;
    }

    /** The operation returned {@code output}. */
    public synchronized void ok(final long id, final Output output) {
        final Call call = pending(id);
        if (!call.input.accepts(output)) {
            throw new IllegalArgumentException("operation " + id + ": " + output + " is no answer to " + call.input);
        }
        call.returnNanos = clockNanos.getAsLong();
        call.output = output;
        call.outcome = Outcome.OK;
    }

    /**
     * The operation failed in a way that leaves open whether it was applied (a timeout, a lost
     * connection, a leader change after it was proposed): it may take effect once, at any point
     * after its call, or never.
     */
    public synchronized void unknown(final long id) {
        pending(id).outcome = Outcome.UNKNOWN;
    }

    /**
     * The operation certainly did not take effect (refused before it was proposed, e.g. no
     * leader, a rejected request): it is dropped from the history.
     */
    public synchronized void fail(final long id) {
        pending(id).outcome = Outcome.FAILED;
    }

    /**
     * The operations recorded so far, in invocation order; one still pending counts as unknown
     * (its client may yet see it applied), one that failed is left out.
     */
    public synchronized List<Operation> operations() {
        final List<Operation> operations = new ArrayList<>(calls.size());
        for (int id = 0; id < calls.size(); id++) {
            final Call call = calls.get(id);
            switch (call.outcome) {
                case OK -> operations.add(
                    Operation.ok(id, call.client, call.callNanos, call.returnNanos, call.input, call.output));
                case PENDING, UNKNOWN -> operations.add(Operation.unknown(id, call.client, call.callNanos, call.input));
                case FAILED -> {
                }
            }
        }
        return operations;
    }

    private Call pending(final long id) {
        if (id < 0 || id >= calls.size()) {
            throw new IllegalArgumentException("no operation " + id);
        }
        final Call call = calls.get((int) id);
        if (call.outcome != Outcome.PENDING) {
            throw new IllegalStateException("operation " + id + " already completed (" + call.outcome + ")");
        }
        return call;
    }

    /** The whole history, one operation a line; see {@link HistoryFormat}. */
    @Override
    public String toString() {
        return HistoryFormat.format(operations());
    }
}
