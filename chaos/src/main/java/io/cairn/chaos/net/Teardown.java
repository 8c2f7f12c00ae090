package io.cairn.chaos.net;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Undo steps for what has been created, run newest first: a veth is removed before its namespace and
 * the bridge it hangs on. Every step is tried even when an earlier one fails, so one stuck device does
 * not leave the rest behind; the first failure is thrown with the others suppressed.
 */
final class Teardown {
    /** One undo step. */
    @FunctionalInterface
    interface Step {
        void run();
    }

    private record Named(String what, Step step) {
    }

    private final Deque<Named> steps = new ArrayDeque<>();

    void add(final String what, final Step step) {
        steps.push(new Named(what, step));
    }

    /** Runs and forgets every step; calling it again does nothing. */
    void runAll() {
        RuntimeException failure = null;
        while (!steps.isEmpty()) {
            final Named named = steps.pop();
            try {
                named.step().run();
            } catch (final RuntimeException e) {
                final RuntimeException described = new IllegalStateException("could not remove " + named.what(), e);
                if (failure == null) {
                    failure = described;
                } else {
                    failure.addSuppressed(described);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
