package io.cairn.raft;

import java.util.List;

/**
 * Cluster membership as stored in snapshots. Sorted, immutable id lists. {@code votersOutgoing} is non-empty only in
 * a joint configuration; {@code learnersNext} are outgoing voters that become learners when the joint config is left.
 */
public record ConfState(List<Long> voters, List<Long> votersOutgoing, List<Long> learners, List<Long> learnersNext,
                        boolean autoLeave) {
    public static final ConfState EMPTY = new ConfState(List.of(), List.of(), List.of(), List.of(), false);

    public ConfState {
        voters = List.copyOf(voters);
        votersOutgoing = List.copyOf(votersOutgoing);
        learners = List.copyOf(learners);
        learnersNext = List.copyOf(learnersNext);
    }

    public static ConfState ofVoters(final Long... ids) {
        return new ConfState(List.of(ids), List.of(), List.of(), List.of(), false);
    }

    public boolean isMember(final long id) {
        return voters.contains(id) || votersOutgoing.contains(id) || learners.contains(id) || learnersNext.contains(id);
    }
}
