package io.cairn.chaos.net;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Which member-to-member directions are cut, as pairs (from, to). Faults add to the set, so a
 * partition and a one-way link can be combined; {@link #heal()} empties it. Only members appear here:
 * the bridge address, where the harness's clients live, is never cut.
 */
final class LinkFaults {
    private record Direction(int from, int to) {
    }

    private final int members;
    private final Set<Direction> cut = new HashSet<>();
    private final List<String> applied = new ArrayList<>();

    LinkFaults(final int members) {
        this.members = members;
    }

    /**
     * Cuts every direction between members of different groups. A member in no group is a group of its
     * own, as the harness would expect of a member it did not mention.
     */
    void partition(final List<Set<Integer>> groups) {
        final Map<Integer, Integer> groupOf = new HashMap<>();
        for (int g = 0; g < groups.size(); g++) {
            if (groups.get(g).isEmpty()) {
                throw new IllegalArgumentException("empty group in " + groups);
            }
            for (final int member : groups.get(g)) {
                check(member);
                if (groupOf.put(member, g) != null) {
                    throw new IllegalArgumentException("member " + member + " is in two groups: " + groups);
                }
            }
        }
        final List<SortedSet<Integer>> described = new ArrayList<>();
        for (final Set<Integer> group : groups) {
            described.add(new TreeSet<>(group));
        }
        for (int member = 1; member <= members; member++) {
            if (!groupOf.containsKey(member)) {
                groupOf.put(member, groups.size() + member);
                described.add(new TreeSet<>(Set.of(member)));
            }
        }
        for (int from = 1; from <= members; from++) {
            for (int to = 1; to <= members; to++) {
                if (!groupOf.get(from).equals(groupOf.get(to))) {
                    cut.add(new Direction(from, to));
                }
            }
        }
        applied.add("partition " + described.stream().map(LinkFaults::braces).collect(Collectors.joining(" | ")));
    }

    /** Cuts {@code member} off from every other member, both ways. */
    void isolate(final int member) {
        check(member);
        for (int other = 1; other <= members; other++) {
            if (other != member) {
                cut.add(new Direction(member, other));
                cut.add(new Direction(other, member));
            }
        }
        applied.add("isolate " + member);
    }

    /** Cuts packets from {@code from} to {@code to}; the reverse direction is left as it is. */
    void oneWay(final int from, final int to) {
        check(from);
        check(to);
        if (from == to) {
            throw new IllegalArgumentException("a member's packets to itself never reach the bridge: " + from);
        }
        cut.add(new Direction(from, to));
        applied.add("one-way " + from + "->" + to);
    }

    void heal() {
        cut.clear();
        applied.clear();
    }

    /** The members whose packets member {@code to} must drop on arrival, in order. */
    SortedSet<Integer> droppedAt(final int to) {
        check(to);
        final SortedSet<Integer> sources = new TreeSet<>();
        for (final Direction direction : cut) {
            if (direction.to() == to) {
                sources.add(direction.from());
            }
        }
        return sources;
    }

    /** The faults since the last heal, in the order they were applied, or "none". */
    String describe() {
        return applied.isEmpty() ? "none" : String.join("; ", applied);
    }

    private void check(final int member) {
        if (member < 1 || member > members) {
            throw new IllegalArgumentException("member " + member + " outside 1.." + members);
        }
    }

    private static String braces(final Set<Integer> group) {
        return group.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
    }
}
