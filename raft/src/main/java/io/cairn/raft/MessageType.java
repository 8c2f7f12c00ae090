package io.cairn.raft;

/** The messages nodes exchange. Field meanings per type are documented on {@link Message}. */
public enum MessageType {
    /** A proposal forwarded from a follower to the leader (term 0: proposals are not term-bound). */
    PROPOSE,
    /** Append entries after (index, logTerm), and learn the leader's commit index. */
    APPEND,
    /** Reply to APPEND or SNAPSHOT: index is the last matching index, or, when rejected, the probed index. */
    APPEND_RESPONSE,
    /**
     * Leader liveness plus a safe commit index; (index, logTerm) is the last entry already sent to this follower;
     * context is a read round to acknowledge (0 for none).
     */
    HEARTBEAT,
    /** Echoes index and context; reject means the follower lacks that entry (an APPEND was lost). */
    HEARTBEAT_RESPONSE,
    /** Install this snapshot. */
    SNAPSHOT,
    /** Request a vote in the message's term; context is {@link Message#CONTEXT_TRANSFER} when forced by a transfer. */
    VOTE,
    /** When rejected: commit is the voter's commit index and logTerm its term, so the candidate can learn it. */
    VOTE_RESPONSE,
    /** Request a pre-vote for term {@code term} without anyone changing term. */
    PRE_VOTE,
    /** As VOTE_RESPONSE. */
    PRE_VOTE_RESPONSE,
    /** A ReadIndex request forwarded to the leader; context is the host's read id (term 0, like PROPOSE). */
    READ_INDEX,
    /** The leader's answer: index is the read index for the read id in context. */
    READ_INDEX_RESPONSE,
    /** Ask the leader to transfer leadership to the node named in context. */
    TRANSFER_LEADER,
    /** The leader tells its chosen successor to campaign now, skipping the election timeout and pre-vote. */
    TIMEOUT_NOW
}
