package io.cairn.engine.node;

/**
 * A member's view of itself and of Raft, for Maintenance.Status and response headers.
 *
 * @param memberId     this member
 * @param clusterId    the cluster it belongs to
 * @param leaderId     the leader it knows of, 0 for none
 * @param learner      whether it is a learner (not yet: membership changes come later)
 * @param raftTerm     the current term
 * @param raftIndex    the commit index
 * @param appliedIndex the last entry applied to the store
 */
public record MemberStatus(long memberId, long clusterId, long leaderId, boolean learner, long raftTerm,
                           long raftIndex, long appliedIndex) {
    public boolean isLeader() {
        return leaderId == memberId;
    }
}
