package io.cairn.raft;

/**
 * The leader's view of one follower: {@code match} is the highest index known to be in its log, {@code next} the
 * next index to send. Invariant: match < next.
 */
final class Progress {
    long match;
    long next;
    ProgressState state = ProgressState.PROBE;
    /** In SNAPSHOT state: the index of the snapshot sent. */
    long pendingSnapshot;
    /** Heard from since the last CheckQuorum round; the leader only sends snapshots to active followers. */
    boolean recentActive;
    /** In PROBE state: an APPEND is out, wait for its answer (or a heartbeat answer) before the next. */
    boolean probeSent;
    boolean isLearner;
    final Inflights inflights;

    Progress(final long next, final int maxInflightMessages, final long maxInflightBytes) {
        this.next = next;
        this.inflights = new Inflights(maxInflightMessages, maxInflightBytes);
    }

    private void resetState(final ProgressState newState) {
        probeSent = false;
        pendingSnapshot = 0;
        state = newState;
        inflights.reset();
    }

    void becomeProbe() {
        if (state == ProgressState.SNAPSHOT) {
            final long snapshotIndex = pendingSnapshot;
            resetState(ProgressState.PROBE);
            next = Math.max(match + 1, snapshotIndex + 1);
        } else {
            resetState(ProgressState.PROBE);
            next = match + 1;
        }
    }

    void becomeReplicate() {
        resetState(ProgressState.REPLICATE);
        next = match + 1;
    }

    void becomeSnapshot(final long snapshotIndex) {
        resetState(ProgressState.SNAPSHOT);
        pendingSnapshot = snapshotIndex;
    }

    /** The follower acknowledged index; false when that told us nothing new. */
    boolean maybeUpdate(final long index) {
        boolean updated = false;
        if (match < index) {
            match = index;
            updated = true;
            probeSent = false;
        }
        next = Math.max(next, index + 1);
        return updated;
    }

    /**
     * The follower rejected an APPEND after {@code rejected}; {@code matchHint} is where its log may match. False
     * when the rejection is stale (answers an older probe).
     */
    boolean maybeDecreaseTo(final long rejected, final long matchHint) {
        if (state == ProgressState.REPLICATE) {
            if (rejected <= match) {
                return false;
            }
            next = match + 1;
            return true;
        }
        if (next - 1 != rejected) {
            return false;
        }
        next = Math.max(Math.min(rejected, matchHint + 1), match + 1);
        probeSent = false;
        return true;
    }

    boolean isPaused() {
        return switch (state) {
            case PROBE -> probeSent;
            case REPLICATE -> inflights.full();
            case SNAPSHOT -> true;
        };
    }

    /** Account for an APPEND carrying count entries ending at next - 1 + count. */
    void sentEntries(final int count, final long bytes) {
        switch (state) {
            case REPLICATE -> {
                if (count > 0) {
                    next += count;
                    inflights.add(next - 1, bytes);
                }
            }
            case PROBE -> {
                if (count > 0) {
                    probeSent = true;
                }
            }
            case SNAPSHOT -> throw new IllegalStateException("sending entries while a snapshot is pending");
        }
    }

    /** Forget what was in flight: after a restart of the leader's view (new term) everything is re-probed. */
    void reset(final long newNext) {
        resetState(ProgressState.PROBE);
        match = 0;
        next = newNext;
        recentActive = false;
    }

    @Override
    public String toString() {
        return state + " match=" + match + " next=" + next + (isLearner ? " learner" : "")
            + (state == ProgressState.SNAPSHOT ? " snap=" + pendingSnapshot : "");
    }
}
