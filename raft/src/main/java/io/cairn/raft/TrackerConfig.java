package io.cairn.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.Collections;

/**
 * Membership as the leader counts it. Invariants: learners and voters are disjoint; learnersNext are outgoing voters
 * that turn into learners when the joint configuration is left, so learnersNext is empty unless joint.
 */
record TrackerConfig(JointConfig voters, SortedSet<Long> learners, SortedSet<Long> learnersNext, boolean autoLeave) {
    TrackerConfig {
        learners = Collections.unmodifiableSortedSet(new TreeSet<>(learners));
        learnersNext = Collections.unmodifiableSortedSet(new TreeSet<>(learnersNext));
        for (final long learner : learners) {
            if (voters.contains(learner)) {
                throw new IllegalStateException(learner + " is both learner and voter");
            }
        }
        if (!voters.isJoint() && (!learnersNext.isEmpty() || autoLeave)) {
            throw new IllegalStateException("learnersNext or autoLeave outside a joint configuration");
        }
        for (final long next : learnersNext) {
            if (!voters.outgoing().contains(next)) {
                throw new IllegalStateException("learnerNext " + next + " is not an outgoing voter");
            }
        }
    }

    static TrackerConfig of(final ConfState state) {
        return new TrackerConfig(new JointConfig(MajorityConfig.of(state.voters()),
            MajorityConfig.of(state.votersOutgoing())), new TreeSet<>(state.learners()),
            new TreeSet<>(state.learnersNext()), state.autoLeave());
    }

    ConfState toConfState() {
        return new ConfState(ids(voters.incoming()), ids(voters.outgoing()), List.copyOf(learners),
            List.copyOf(learnersNext), autoLeave);
    }

    /** Every id that needs a Progress: voters of both halves and learners, sorted. */
    SortedSet<Long> members() {
        final TreeSet<Long> all = new TreeSet<>(learners);
        all.addAll(ids(voters.incoming()));
        all.addAll(ids(voters.outgoing()));
        return all;
    }

    static List<Long> ids(final MajorityConfig config) {
        final ArrayList<Long> ids = new ArrayList<>(config.size());
        for (int i = 0; i < config.size(); i++) {
            ids.add(config.id(i));
        }
        return ids;
    }
}
