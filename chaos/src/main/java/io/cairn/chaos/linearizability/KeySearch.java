package io.cairn.chaos.linearizability;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The Wing–Gong search with Lowe's memoisation over one key's operations: is there an order of
 * all of them, each placed somewhere between its call and its return, that {@link KeyModel}
 * accepts? See the package documentation for how it works.
 */
final class KeySearch {
    /** What the search found. */
    enum Outcome { LINEARIZABLE, NOT_LINEARIZABLE, OUT_OF_TIME }

    /**
     * @param longestPrefix the longest linearization of some of the operations the search reached,
     *     in its order; all the operations when linearizable
     * @param steps how many times the search tried an operation or backtracked
     */
    record Found(Outcome outcome, List<Operation> longestPrefix, long steps) {
    }

    /** How often the clock is read: a read per step would cost more than the step. */
    private static final long STEPS_PER_CLOCK_READ = 1024;

    /** A call or a return in the doubly linked list of events still to place. */
    private static final class Entry {
        final int index;
        final boolean call;
        Entry match;
        Entry prev;
        Entry next;

        Entry(final int index, final boolean call) {
            this.index = index;
            this.call = call;
        }
    }

    /** A linearized call and the state before it, to undo it. */
    private record Frame(Entry call, KeyModel.State stateBefore) {
    }

    /** A configuration already explored: which operations are placed, and the state they leave. */
    private record Memo(BitSet placed, KeyModel.State state) {
    }

    private KeySearch() {
    }

    /** Searches {@code operations} (all on one key) until done or until {@code deadlineNanos} (System.nanoTime). */
    static Found search(final List<Operation> operations, final long deadlineNanos) {
        final Entry head = events(operations);
        final BitSet placed = new BitSet(operations.size());
        final Set<Memo> explored = new HashSet<>();
        final List<Frame> stack = new ArrayList<>();
        List<Operation> longest = List.of();
        KeyModel.State state = KeyModel.State.ABSENT;
        Entry entry = head.next;
        long steps = 0;
        while (head.next != null) {
            if (steps++ % STEPS_PER_CLOCK_READ == 0 && System.nanoTime() - deadlineNanos >= 0) {
                return new Found(Outcome.OUT_OF_TIME, longest, steps);
            }
            if (entry.call) {
                final Operation operation = operations.get(entry.index);
                final KeyModel.Step step = KeyModel.step(state, operation.input(), operation.output());
                if (step.ok()) {
                    placed.set(entry.index);
                    // Lowe: the same placed set leaving the same state was explored already (and
                    // failed, or we would have stopped), so do not explore it again.
                    if (explored.add(new Memo((BitSet) placed.clone(), step.next()))) {
                        stack.add(new Frame(entry, state));
                        state = step.next();
                        lift(entry);
                        if (stack.size() > longest.size()) {
                            longest = stack.stream().map(frame -> operations.get(frame.call().index)).toList();
                        }
                        entry = head.next;
                        continue;
                    }
                    placed.clear(entry.index);
                }
                entry = entry.next;
            } else {
                // A return whose call is not placed yet: every order from here would place that
                // operation after it returned. Undo the last placement and try the next candidate.
                if (stack.isEmpty()) {
                    return new Found(Outcome.NOT_LINEARIZABLE, longest, steps);
                }
                final Frame frame = stack.removeLast();
                state = frame.stateBefore();
                placed.clear(frame.call().index);
                unlift(frame.call());
                entry = frame.call().next;
            }
        }
        return new Found(Outcome.LINEARIZABLE, longest, steps);
    }

    /**
     * The calls and returns in time order, behind a sentinel head. At equal times a call comes
     * before a return: operations that merely touch count as concurrent, the lenient reading,
     * since a clock's resolution cannot order them.
     */
    private static Entry events(final List<Operation> operations) {
        record Event(long nanos, Entry entry) {
        }
        final List<Event> events = new ArrayList<>(2 * operations.size());
        for (int i = 0; i < operations.size(); i++) {
            final Entry call = new Entry(i, true);
            final Entry ret = new Entry(i, false);
            call.match = ret;
            events.add(new Event(operations.get(i).callNanos(), call));
            events.add(new Event(operations.get(i).returnNanos(), ret));
        }
        events.sort(Comparator.comparingLong(Event::nanos)
            .thenComparingInt(event -> event.entry().call ? 0 : 1)
            .thenComparingInt(event -> event.entry().index));
        final Entry head = new Entry(-1, false);
        Entry last = head;
        for (final Event event : events) {
            last.next = event.entry();
            event.entry().prev = last;
            last = event.entry();
        }
        return head;
    }

    /** Takes a placed call and its return out of the list. */
    private static void lift(final Entry call) {
        unlink(call);
        unlink(call.match);
    }

    /** Puts a call and its return back where {@link #lift} took them from, in reverse order. */
    private static void unlift(final Entry call) {
        relink(call.match);
        relink(call);
    }

    private static void unlink(final Entry entry) {
        entry.prev.next = entry.next;
        if (entry.next != null) {
            entry.next.prev = entry.prev;
        }
    }

    /** Dancing links: {@code entry}'s own prev and next still name its old neighbours. */
    private static void relink(final Entry entry) {
        entry.prev.next = entry;
        if (entry.next != null) {
            entry.next.prev = entry;
        }
    }
}
