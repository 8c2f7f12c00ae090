package io.cairn.raft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The leader's ReadIndex requests waiting for leadership to be confirmed (§6.4 of the thesis), batched into rounds.
 * Every read that arrives joins the open round; when the host next asks for a Ready the open round is closed and
 * one heartbeat broadcast carries its number. A quorum of acknowledgements for round r confirms every read of rounds
 * up to r at once, since all of them arrived before that broadcast left.
 */
final class ReadIndexQueue {
    record PendingRead(long from, long context, long index, long round) {
    }

    private final int maxPendingReads;
    private final ArrayDeque<PendingRead> pending = new ArrayDeque<>();
    /** Round number to acknowledging ids; the leader acknowledges its own rounds. */
    private final TreeMap<Long, TreeMap<Long, Boolean>> acks = new TreeMap<>();
    private long openRound = 1;

    ReadIndexQueue(final int maxPendingReads) {
        this.maxPendingReads = maxPendingReads;
    }

    /** False when the queue is full and the read must be dropped. */
    boolean add(final long from, final long context, final long index) {
        if (pending.size() >= maxPendingReads) {
            return false;
        }
        pending.addLast(new PendingRead(from, context, index, openRound));
        return true;
    }

    /** Whether reads are waiting for a round that has not been broadcast yet. */
    boolean needsRound() {
        return !pending.isEmpty() && pending.peekLast().round() == openRound;
    }

    /** Close the open round; the caller broadcasts a heartbeat carrying the returned number. */
    long startRound(final long selfId) {
        final long round = openRound++;
        final TreeMap<Long, Boolean> roundAcks = new TreeMap<>();
        roundAcks.put(selfId, true);
        acks.put(round, roundAcks);
        return round;
    }

    /** The newest broadcast round that still has reads waiting on it (so periodic heartbeats re-ask), or 0. */
    long latestStartedRound() {
        if (pending.isEmpty() || pending.peekFirst().round() >= openRound) {
            return 0;
        }
        return openRound - 1;
    }

    /** Record an acknowledgement; returns the reads it confirms (empty if none yet), oldest first. */
    List<PendingRead> acknowledge(final long from, final long round, final ProgressTracker tracker) {
        final TreeMap<Long, Boolean> roundAcks = acks.get(round);
        if (roundAcks == null) {
            return List.of();
        }
        roundAcks.put(from, true);
        if (!tracker.hasQuorum(roundAcks)) {
            return List.of();
        }
        acks.headMap(round, true).clear();
        final ArrayList<PendingRead> confirmed = new ArrayList<>();
        while (!pending.isEmpty() && pending.peekFirst().round() <= round) {
            confirmed.add(pending.pollFirst());
        }
        return confirmed;
    }

    int size() {
        return pending.size();
    }

    void clear() {
        pending.clear();
        acks.clear();
    }
}
