package io.cairn.raft;

import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Computes the membership that results from a {@link ConfChange}, without touching the tracker: callers validate
 * proposals with it (a dry run) and install its result when the change is applied. Throws IllegalArgumentException
 * for a change that is not allowed from the current membership.
 */
final class ConfChanger {
    record Result(TrackerConfig config, TreeMap<Long, Progress> progress) {
    }

    private final ProgressTracker tracker;
    private final long lastIndex;
    private final TreeSet<Long> incoming;
    private final TreeSet<Long> outgoing;
    private final TreeSet<Long> learners;
    private final TreeSet<Long> learnersNext;
    private final TreeMap<Long, Progress> progress;

    private ConfChanger(final ProgressTracker tracker, final long lastIndex) {
        this.tracker = tracker;
        this.lastIndex = lastIndex;
        final TrackerConfig config = tracker.config();
        this.incoming = new TreeSet<>(TrackerConfig.ids(config.voters().incoming()));
        this.outgoing = new TreeSet<>(TrackerConfig.ids(config.voters().outgoing()));
        this.learners = new TreeSet<>(config.learners());
        this.learnersNext = new TreeSet<>(config.learnersNext());
        this.progress = new TreeMap<>(tracker.progress());
    }

    static Result apply(final ProgressTracker tracker, final long lastIndex, final ConfChange change) {
        final ConfChanger changer = new ConfChanger(tracker, lastIndex);
        final boolean joint = tracker.config().voters().isJoint();
        if (change.isLeaveJoint()) {
            return changer.leaveJoint(joint);
        }
        if (joint) {
            throw new IllegalArgumentException("already in a joint configuration: leave it first");
        }
        return change.entersJoint() ? changer.enterJoint(change.autoLeave(), change.changes())
            : changer.simple(change.changes());
    }

    /** Membership and fresh progress straight from a snapshot's ConfState. */
    static Result restore(final ProgressTracker tracker, final long lastIndex, final ConfState state) {
        final TrackerConfig config = TrackerConfig.of(state);
        final TreeMap<Long, Progress> progress = new TreeMap<>();
        for (final long id : config.members()) {
            progress.put(id, tracker.newProgress(lastIndex + 1));
        }
        return new Result(config, progress);
    }

    private Result simple(final List<ConfChangeSingle> changes) {
        final TreeSet<Long> before = new TreeSet<>(incoming);
        applyAll(changes);
        final TreeSet<Long> changed = new TreeSet<>(before);
        changed.addAll(incoming);
        final TreeSet<Long> both = new TreeSet<>(before);
        both.retainAll(incoming);
        changed.removeAll(both);
        if (changed.size() > 1) {
            throw new IllegalArgumentException("more than one voter changed without joint consensus: " + changed);
        }
        return result(false);
    }

    private Result enterJoint(final boolean autoLeave, final List<ConfChangeSingle> changes) {
        if (incoming.isEmpty()) {
            throw new IllegalArgumentException("cannot make a zero-voter configuration joint");
        }
        outgoing.addAll(incoming);
        applyAll(changes);
        return result(autoLeave);
    }

    private Result leaveJoint(final boolean joint) {
        if (!joint) {
            throw new IllegalArgumentException("not in a joint configuration");
        }
        learners.addAll(learnersNext);
        learnersNext.clear();
        for (final long id : outgoing) {
            if (!incoming.contains(id) && !learners.contains(id)) {
                progress.remove(id);
            }
        }
        outgoing.clear();
        return result(false);
    }

    private void applyAll(final List<ConfChangeSingle> changes) {
        for (final ConfChangeSingle change : changes) {
            switch (change.type()) {
                case ADD_VOTER -> makeVoter(change.nodeId());
                case ADD_LEARNER -> makeLearner(change.nodeId());
                case REMOVE -> remove(change.nodeId());
            }
        }
        if (incoming.isEmpty()) {
            throw new IllegalArgumentException("removing all voters is not allowed");
        }
    }

    private void ensureProgress(final long id) {
        if (!progress.containsKey(id)) {
            // A new member starts as probed at the end of our log; recently active so it gets a chance
            // (a snapshot, CheckQuorum) before being judged unresponsive.
            final Progress pr = tracker.newProgress(Math.max(lastIndex, 1));
            pr.recentActive = true;
            progress.put(id, pr);
        }
    }

    private void makeVoter(final long id) {
        ensureProgress(id);
        learners.remove(id);
        learnersNext.remove(id);
        incoming.add(id);
    }

    private void makeLearner(final long id) {
        ensureProgress(id);
        if (learners.contains(id)) {
            return;
        }
        incoming.remove(id);
        if (outgoing.contains(id)) {
            // Still a voter of the outgoing half: it can only become a learner once that half is gone.
            learnersNext.add(id);
        } else {
            learners.add(id);
        }
    }

    private void remove(final long id) {
        incoming.remove(id);
        learners.remove(id);
        learnersNext.remove(id);
        if (!outgoing.contains(id)) {
            progress.remove(id);
        }
    }

    private Result result(final boolean autoLeave) {
        final TrackerConfig config = new TrackerConfig(new JointConfig(MajorityConfig.of(incoming),
            MajorityConfig.of(outgoing)), learners, learnersNext, autoLeave && !outgoing.isEmpty());
        if (!progress.keySet().equals(config.members())) {
            throw new IllegalStateException("progress " + progress.keySet() + " does not match members "
                + config.members());
        }
        return new Result(config, progress);
    }
}
