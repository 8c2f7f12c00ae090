package io.cairn.raft;

/**
 * How one node runs. Times are in ticks (the host decides how long a tick is); sizes are in bytes as counted by
 * {@link Entry#sizeBytes()}.
 *
 * @param id                          this node's id, never 0
 * @param electionTicks               a follower that hears no leader for a random time in [electionTicks,
 *                                    2 * electionTicks) campaigns; also the CheckQuorum and lease period
 * @param heartbeatTicks              how often a leader sends heartbeats; less than electionTicks
 * @param appliedIndex                the last index the host's state machine had applied when this node started
 * @param maxMessageBytes             entry bytes per APPEND (at least one entry is always sent)
 * @param maxInflightMessages         APPENDs in flight per follower before the leader waits for acknowledgements
 * @param maxInflightBytes            entry bytes in flight per follower (0 = only the message count bounds it)
 * @param maxUncommittedBytes         payload bytes the leader holds uncommitted before it drops proposals
 * @param maxCommittedBytesPerReady   committed entry bytes handed to the host per Ready
 * @param maxPendingReads             ReadIndex requests waiting at the leader before it drops new ones
 * @param preVote                     run a pre-vote round before raising the term
 * @param checkQuorum                 a leader steps down if it heard from no quorum in an election timeout, and
 *                                    followers ignore vote requests while they hear from a leader
 * @param readOnlyOption              how ReadIndex confirms leadership
 * @param forwardProposals            followers forward proposals and reads to the leader; otherwise they throw
 *                                    {@link NotLeaderException} naming it
 */
public record RaftConfig(long id, int electionTicks, int heartbeatTicks, long appliedIndex, long maxMessageBytes,
                         int maxInflightMessages, long maxInflightBytes, long maxUncommittedBytes,
                         long maxCommittedBytesPerReady, int maxPendingReads, boolean preVote, boolean checkQuorum,
                         ReadOnlyOption readOnlyOption, boolean forwardProposals) {
    public RaftConfig {
        if (id == 0) {
            throw new IllegalArgumentException("id 0 is reserved for \"none\"");
        }
        if (heartbeatTicks <= 0 || electionTicks <= heartbeatTicks) {
            throw new IllegalArgumentException("need 0 < heartbeatTicks < electionTicks, got " + heartbeatTicks
                + " and " + electionTicks);
        }
        if (maxMessageBytes <= 0 || maxInflightMessages <= 0 || maxInflightBytes < 0 || maxUncommittedBytes <= 0
            || maxCommittedBytesPerReady <= 0 || maxPendingReads <= 0 || appliedIndex < 0) {
            throw new IllegalArgumentException("sizes and bounds must be positive");
        }
        if (readOnlyOption == ReadOnlyOption.LEASE_BASED && !checkQuorum) {
            throw new IllegalArgumentException("lease-based reads need checkQuorum: the lease is what it maintains");
        }
    }

    /** etcd's defaults: 10-tick elections, 1-tick heartbeats, 1 MiB appends, 256 in flight, PreVote and CheckQuorum. */
    public static RaftConfig defaults(final long id) {
        return new RaftConfig(id, 10, 1, 0, 1 << 20, 256, 0, 1L << 30, 64L << 20, 4096, true, true,
            ReadOnlyOption.SAFE, true);
    }

    public RaftConfig withAppliedIndex(final long value) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, value, maxMessageBytes, maxInflightMessages,
            maxInflightBytes, maxUncommittedBytes, maxCommittedBytesPerReady, maxPendingReads, preVote, checkQuorum,
            readOnlyOption, forwardProposals);
    }

    public RaftConfig withElection(final boolean newPreVote, final boolean newCheckQuorum) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, appliedIndex, maxMessageBytes, maxInflightMessages,
            maxInflightBytes, maxUncommittedBytes, maxCommittedBytesPerReady, maxPendingReads, newPreVote,
            newCheckQuorum, readOnlyOption, forwardProposals);
    }

    public RaftConfig withReadOnlyOption(final ReadOnlyOption value) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, appliedIndex, maxMessageBytes, maxInflightMessages,
            maxInflightBytes, maxUncommittedBytes, maxCommittedBytesPerReady, maxPendingReads, preVote, checkQuorum,
            value, forwardProposals);
    }

    public RaftConfig withForwardProposals(final boolean value) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, appliedIndex, maxMessageBytes, maxInflightMessages,
            maxInflightBytes, maxUncommittedBytes, maxCommittedBytesPerReady, maxPendingReads, preVote, checkQuorum,
            readOnlyOption, value);
    }

    public RaftConfig withFlowControl(final long newMaxMessageBytes, final int newMaxInflightMessages) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, appliedIndex, newMaxMessageBytes,
            newMaxInflightMessages, maxInflightBytes, maxUncommittedBytes, maxCommittedBytesPerReady, maxPendingReads,
            preVote, checkQuorum, readOnlyOption, forwardProposals);
    }
}
