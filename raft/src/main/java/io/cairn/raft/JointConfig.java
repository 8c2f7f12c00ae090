package io.cairn.raft;

import java.util.Map;
import java.util.function.LongUnaryOperator;

/**
 * Joint consensus (§4.3 of the thesis): every decision needs a majority of the incoming and of the outgoing voters.
 * Outside a membership change outgoing is empty, and the rules reduce to a plain majority of incoming.
 */
record JointConfig(MajorityConfig incoming, MajorityConfig outgoing) {
    boolean isJoint() {
        return outgoing.size() > 0;
    }

    boolean contains(final long id) {
        return incoming.contains(id) || outgoing.contains(id);
    }

    long committedIndex(final LongUnaryOperator matchOf) {
        return Math.min(incoming.committedIndex(matchOf), outgoing.committedIndex(matchOf));
    }

    VoteResult voteResult(final Map<Long, Boolean> votes) {
        final VoteResult in = incoming.voteResult(votes);
        final VoteResult out = outgoing.voteResult(votes);
        if (in == out) {
            return in;
        }
        if (in == VoteResult.LOST || out == VoteResult.LOST) {
            return VoteResult.LOST;
        }
        return VoteResult.PENDING;
    }
}
