package io.cairn.engine.node;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.backend.BtreeView;
import io.cairn.engine.cluster.Member;
import io.cairn.engine.cluster.MemberTable;
import io.cairn.engine.cluster.MembershipRules;
import io.cairn.engine.cluster.RemovedMemberTable;
import io.cairn.engine.command.Command;
import io.cairn.engine.command.CommandCodec;
import io.cairn.raft.ConfChange;
import io.cairn.raft.ConfChangeSingle;
import java.util.List;
import java.util.Set;

/**
 * Applies membership changes to the members and removed-ids buckets on the apply thread, each
 * checked first by {@link MembershipRules} against the buckets as they are (so a refused change
 * writes nothing and every member refuses the same ones). Answers the caller with the members
 * after the change, as etcd's Cluster service does.
 *
 * <p>MemberAdd, MemberRemove and MemberPromote travel as Raft CONF_CHANGE entries whose context is
 * the command; MemberUpdate changes no Raft configuration and is an ordinary entry.
 */
final class MembershipApplier {
    private MembershipApplier() {
    }

    /**
     * What the Raft loop must carry out once a membership entry is applied: {@code raftChange} for
     * Raft (null: none), and the transport's peers: {@code members} added or moved, {@code removedIds}
     * dropped (null members: the transport is left as it is).
     */
    record Applied(long index, ConfChange raftChange, List<Member> members, Set<Long> removedIds) {
        Applied {
            members = members == null ? null : List.copyOf(members);
            removedIds = Set.copyOf(removedIds);
        }
    }

    /** The member command a CONF_CHANGE entry carries, or null for Raft's own (leaving a joint configuration). */
    static Command commandOf(final ConfChange change) {
        final byte[] context = change.context();
        return context.length == 0 ? null : CommandCodec.decode(context);
    }

    /** The CONF_CHANGE entry that proposes {@code command}. */
    static ConfChange confChangeFor(final Command command) {
        final ConfChangeSingle single = switch (command) {
            case Command.AddMember add -> add.learner() ? ConfChangeSingle.addLearner(add.memberId())
                : ConfChangeSingle.addVoter(add.memberId());
            case Command.RemoveMember remove -> ConfChangeSingle.remove(remove.memberId());
            case Command.PromoteMember promote -> ConfChangeSingle.addVoter(promote.memberId());
            default -> throw new IllegalArgumentException(command + " is not a Raft membership change");
        };
        return ConfChange.single(single, CommandCodec.encode(command));
    }

    /**
     * Applies a membership command (checked first), the entry at {@code index} carrying
     * {@code raftChange} (null: none, MemberUpdate); returns what the Raft loop is to carry out, the
     * members after it among them (the caller's answer).
     *
     * @throws EtcdException etcd's refusal; nothing was written
     */
    static Applied apply(final BtreeView view, final Command command, final long index, final ConfChange raftChange) {
        final List<Member> members = MemberTable.all(view);
        final Set<Long> removed = RemovedMemberTable.all(view);
        Set<Long> removedAfter = removed;
        switch (command) {
            case Command.AddMember add -> {
                refuseIf(MembershipRules.refuseAdd(members, removed, add.memberId(), add.peerUrls(), add.learner()));
                MemberTable.put(view, new Member(add.memberId(), add.name(), add.peerUrls(), List.of(), add.learner()));
            }
            case Command.RemoveMember remove -> {
                refuseIf(MembershipRules.refuseRemove(members, removed, remove.memberId()));
                MemberTable.remove(view, remove.memberId());
                RemovedMemberTable.add(view, remove.memberId());
                removedAfter = new java.util.HashSet<>(removed);
                removedAfter.add(remove.memberId());
            }
            case Command.PromoteMember promote -> {
                refuseIf(MembershipRules.refusePromote(members, removed, promote.memberId()));
                MemberTable.put(view, MembershipRules.find(members, promote.memberId()).promoted());
            }
            case Command.UpdateMember update -> {
                refuseIf(MembershipRules.refuseUpdate(members, removed, update.memberId(), update.peerUrls()));
                MemberTable.put(view, MembershipRules.find(members, update.memberId()).withPeerUrls(update.peerUrls()));
            }
            default -> throw new IllegalArgumentException(command + " is not a membership change");
        }
        return new Applied(index, raftChange, MemberTable.all(view), removedAfter);
    }

    private static void refuseIf(final EtcdError error) {
        if (error != null) {
            throw new EtcdException(error);
        }
    }
}
