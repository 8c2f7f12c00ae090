package io.cairn.engine.command;

import io.cairn.engine.auth.AuthInfo;
import io.cairn.engine.auth.AuthOp;
import io.cairn.engine.cluster.Alarm;
import io.cairn.engine.lease.Lessor;
import io.cairn.engine.mvcc.TxnOp;
import java.util.List;

/**
 * What one Raft log entry asks the state machine to do. The request id lets the member that
 * proposed it find the client call waiting for the result; other members and replays ignore it.
 */
public sealed interface Command {
    long requestId();

    /**
     * A Put, DeleteRange or Txn, applied through the MVCC store, if {@code caller} may (checked when
     * applied, against the auth store as of that entry, as etcd's applier checks).
     */
    record Write(long requestId, TxnOp op, AuthInfo caller) implements Command {
        public Write {
            java.util.Objects.requireNonNull(caller, "caller");
        }

        /** A write without credentials (auth off, or an internal write). */
        public Write(final long requestId, final TxnOp op) {
            this(requestId, op, AuthInfo.NONE);
        }
    }

    /** A change to the auth store by {@code caller}, who must have the root role once auth is on. */
    record AuthChange(long requestId, AuthInfo caller, AuthOp op) implements Command {
    }

    /**
     * A user authenticated (the password was checked by the member that proposed this): every member
     * starts to accept the simple token {@code simpleTokenPrefix + "." + entry index}.
     */
    record Authenticate(long requestId, String name, String simpleTokenPrefix) implements Command {
    }

    /**
     * Compaction up to {@code revision}. With {@code physical} the proposer answers only once the
     * obsolete versions are gone from its backend (etcd's CompactionRequest.physical).
     */
    record Compact(long requestId, long revision, boolean physical) implements Command {
    }

    /** Lease {@code id} (chosen by the proposer when the client left it 0) with a TTL in seconds. */
    record LeaseGrant(long requestId, long id, long ttlSeconds) implements Command {
    }

    /** A client's revoke, or the leader's decision that the lease expired: its keys go in one revision. */
    record LeaseRevoke(long requestId, long id) implements Command {
    }

    /** Remaining TTLs to persist, so they survive a restart (0 clears an earlier one). */
    record LeaseCheckpoint(long requestId, List<Lessor.Checkpoint> checkpoints) implements Command {
        public LeaseCheckpoint {
            checkpoints = List.copyOf(checkpoints);
        }
    }

    /** A keep-alive: every member renews the lease when it applies this (the leader's expiry is the one that counts). */
    record LeaseRenew(long requestId, long id) implements Command {
    }

    /**
     * A member joins: a new cluster's first entries add every member of --initial-cluster (so
     * membership is written through the log as etcd writes it), and MemberAdd adds one later.
     */
    record AddMember(long requestId, long memberId, String name, List<String> peerUrls, boolean learner)
        implements Command {
        public AddMember {
            peerUrls = List.copyOf(peerUrls);
        }
    }

    /** MemberRemove: the member leaves the cluster, and its id may never come back (etcd's removed ids). */
    record RemoveMember(long requestId, long memberId) implements Command {
    }

    /** MemberPromote: the learner becomes a voter. */
    record PromoteMember(long requestId, long memberId) implements Command {
    }

    /** MemberUpdate: the member's new peer URLs; Raft's membership does not change. */
    record UpdateMember(long requestId, long memberId, List<String> peerUrls) implements Command {
        public UpdateMember {
            peerUrls = List.copyOf(peerUrls);
        }
    }

    /** A member, once serving, publishes its name and client URLs (etcd's publish), for `member list`. */
    record PublishMember(long requestId, long memberId, String name, List<String> clientUrls) implements Command {
        public PublishMember {
            clientUrls = List.copyOf(clientUrls);
        }
    }

    /** An alarm raised ({@code activate}) or disarmed, for the whole cluster (etcd's AlarmRequest). */
    record AlarmChange(long requestId, boolean activate, Alarm alarm) implements Command {
    }
}
