package io.cairn.chaos.linearizability;

import java.util.Objects;

/**
 * The sequential specification of one etcd-like key: its state is its current value or absent.
 * States are immutable values with {@code equals}, so the search can memoise them.
 */
public final class KeyModel {
    /** A key's state; {@code value == null}: absent. */
    public record State(String value) {
        public static final State ABSENT = new State(null);

        @Override
        public String toString() {
            return Output.quote(value);
        }
    }

    /** Whether an operation fits the state, and the state after it. */
    public record Step(boolean ok, State next) {
    }

    private KeyModel() {
    }

    /**
     * Applies {@code input} to {@code state}; {@code output == null} (outcome unknown) fits any
     * answer, but the state still changes as the operation would change it: a put or a matching
     * CAS that took effect did write. Where it took effect, or whether at all, is the search's choice.
     */
    public static Step step(final State state, final Input input, final Output output) {
        return switch (input) {
            case Input.Put put -> new Step(true, new State(put.value()));
            case Input.Get _ -> new Step(output == null
                || Objects.equals(((Output.Read) output).value(), state.value()), state);
            case Input.Cas cas -> {
                final boolean matches = Objects.equals(state.value(), cas.expected());
                yield new Step(output == null || ((Output.Swapped) output).succeeded() == matches,
                    matches ? new State(cas.value()) : state);
            }
            case Input.Delete _ -> new Step(output == null
                || ((Output.Deleted) output).count() == (state.value() != null ? 1 : 0), State.ABSENT);
        };
    }
}
