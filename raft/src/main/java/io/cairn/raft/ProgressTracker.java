package io.cairn.raft;

import java.util.Map;
import java.util.TreeMap;

/** The membership in force, one Progress per member, and the votes of the current election. */
final class ProgressTracker {
    private final int maxInflightMessages;
    private final long maxInflightBytes;
    private final TreeMap<Long, Boolean> votes = new TreeMap<>();
    private TrackerConfig config;
    private TreeMap<Long, Progress> progress = new TreeMap<>();
    /** The keys of {@link #progress}, ascending: walked without an iterator on every append (issue #21). */
    private long[] ids = new long[0];
    /** A voter's match index, for {@link #committedIndex}; made once (a capturing lambda per commit was garbage). */
    private final java.util.function.LongUnaryOperator matchOf = id -> {
        final Progress pr = progress.get(id);
        return pr == null ? 0 : pr.match;
    };

    ProgressTracker(final int maxInflightMessages, final long maxInflightBytes) {
        this.maxInflightMessages = maxInflightMessages;
        this.maxInflightBytes = maxInflightBytes;
        this.config = TrackerConfig.of(ConfState.EMPTY);
    }

    TrackerConfig config() {
        return config;
    }

    /** Ids sorted ascending, so iteration (and so every run) is deterministic. */
    TreeMap<Long, Progress> progress() {
        return progress;
    }

    /** The members' ids, ascending (the keys of {@link #progress()}); the caller must not change it. */
    long[] ids() {
        return ids;
    }

    Progress progress(final long id) {
        return progress.get(id);
    }

    Progress newProgress(final long next) {
        return new Progress(next, maxInflightMessages, maxInflightBytes);
    }

    /** Install a configuration and its progress map (from ConfChanger or a snapshot). */
    void switchTo(final TrackerConfig newConfig, final TreeMap<Long, Progress> newProgress) {
        assert newProgress.keySet().equals(newConfig.members()) : newProgress.keySet() + " vs " + newConfig;
        config = newConfig;
        progress = newProgress;
        ids = newProgress.keySet().stream().mapToLong(Long::longValue).toArray();
        for (final Map.Entry<Long, Progress> e : progress.entrySet()) {
            e.getValue().isLearner = config.learners().contains(e.getKey());
        }
    }

    boolean isVoter(final long id) {
        return config.voters().contains(id);
    }

    /** Whether id is the only voter: then no round trip is needed to decide anything. */
    boolean isSingleVoter(final long id) {
        final JointConfig voters = config.voters();
        return !voters.isJoint() && voters.incoming().size() == 1 && voters.incoming().contains(id);
    }

    long committedIndex() {
        return config.voters().committedIndex(matchOf);
    }

    void resetVotes() {
        votes.clear();
    }

    /** A voter's first answer counts; duplicates (a redelivered message) change nothing. */
    void recordVote(final long id, final boolean granted) {
        votes.putIfAbsent(id, granted);
    }

    VoteResult tallyVotes() {
        return config.voters().voteResult(votes);
    }

    /** Whether a quorum has been heard from since the last check (CheckQuorum); the caller counts itself active. */
    boolean quorumActive() {
        final TreeMap<Long, Boolean> active = new TreeMap<>();
        for (final Map.Entry<Long, Progress> e : progress.entrySet()) {
            if (!e.getValue().isLearner) {
                active.put(e.getKey(), e.getValue().recentActive);
            }
        }
        return config.voters().voteResult(active) == VoteResult.WON;
    }

    /** Quorum check over any set of acknowledging ids (ReadIndex rounds). */
    boolean hasQuorum(final Map<Long, Boolean> acks) {
        return config.voters().voteResult(acks) == VoteResult.WON;
    }
}
