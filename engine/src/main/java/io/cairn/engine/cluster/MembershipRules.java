package io.cairn.engine.cluster;

import io.cairn.engine.api.EtcdError;
import java.util.List;
import java.util.Set;

/**
 * Whether a committed membership change may apply to the members as they are (etcd's
 * ValidateConfigurationChange), checked by every member as it applies the change: the answer
 * depends only on the replicated members and removed ids, so every member gives the same one. A
 * refused change leaves the members and Raft's configuration as they were, and its caller gets
 * the error.
 */
public final class MembershipRules {
    /** etcd 3.4's maxLearners. */
    public static final int LEARNERS_MAX = 1;

    private MembershipRules() {
    }

    /** MemberAdd of {@code id} at {@code peerUrls}; null when it may apply. */
    public static EtcdError refuseAdd(final List<Member> members, final Set<Long> removed, final long id,
        final List<String> peerUrls, final boolean learner) {
        if (removed.contains(id)) {
            return EtcdError.MEMBER_NOT_FOUND; // etcd's ErrIDRemoved answers as "member not found"
        }
        if (find(members, id) != null) {
            return EtcdError.MEMBER_EXISTS;
        }
        if (members.stream().anyMatch(m -> m.peerUrls().stream().anyMatch(peerUrls::contains))) {
            return EtcdError.PEER_URL_EXISTS;
        }
        if (learner && members.stream().filter(Member::learner).count() + 1 > LEARNERS_MAX) {
            return EtcdError.TOO_MANY_LEARNERS;
        }
        return null;
    }

    /** MemberRemove of {@code id}; null when it may apply. */
    public static EtcdError refuseRemove(final List<Member> members, final Set<Long> removed, final long id) {
        return removed.contains(id) || find(members, id) == null ? EtcdError.MEMBER_NOT_FOUND : null;
    }

    /** MemberPromote of {@code id}; null when it may apply. */
    public static EtcdError refusePromote(final List<Member> members, final Set<Long> removed, final long id) {
        final Member member = find(members, id);
        if (removed.contains(id) || member == null) {
            return EtcdError.MEMBER_NOT_FOUND;
        }
        return member.learner() ? null : EtcdError.MEMBER_NOT_LEARNER;
    }

    /** MemberUpdate of {@code id} to {@code peerUrls}; null when it may apply. */
    public static EtcdError refuseUpdate(final List<Member> members, final Set<Long> removed, final long id,
        final List<String> peerUrls) {
        if (removed.contains(id) || find(members, id) == null) {
            return EtcdError.MEMBER_NOT_FOUND;
        }
        final boolean taken = members.stream().filter(m -> m.id() != id)
            .anyMatch(m -> m.peerUrls().stream().anyMatch(peerUrls::contains));
        return taken ? EtcdError.PEER_URL_EXISTS : null;
    }

    public static Member find(final List<Member> members, final long id) {
        for (final Member member : members) {
            if (member.id() == id) {
                return member;
            }
        }
        return null;
    }
}
