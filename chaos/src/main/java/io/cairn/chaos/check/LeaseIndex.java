package io.cairn.chaos.check;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which lease each put was attached to, and how each lease ended, from the leases' facts and the
 * writes themselves (either may name an attachment the other misses).
 */
final class LeaseIndex {
    /** By (revision, key) for puts whose revision is known, including the lease-less ones (lease 0). */
    private final Map<RevKey, Long> leaseByRevision = new HashMap<>();
    /** By (key, value) for puts whose revision is unknown. */
    private final Map<WriteIndex.KeyValue, Long> leaseByValue = new HashMap<>();
    private final Map<Long, LeaseFacts> facts = new HashMap<>();

    LeaseIndex(final List<LeaseFacts> leases, final List<KvWrite> writes) {
        for (final KvWrite write : writes) {
            if (write.mutation().type() != ChangeType.PUT) {
                continue;
            }
            if (write.committedAtRevision()) {
                leaseByRevision.put(new RevKey(write.revision(), write.key()), write.mutation().leaseId());
            } else if (write.indeterminate() && write.mutation().leaseId() != Mutation.NO_LEASE) {
                leaseByValue.put(new WriteIndex.KeyValue(write.key(), write.mutation().value()),
                    write.mutation().leaseId());
            }
        }
        for (final LeaseFacts lease : leases) {
            facts.put(lease.leaseId(), lease);
            for (final LeasedKey key : lease.keys()) {
                if (key.revision() != KvWrite.NO_REVISION) {
                    // The facts may name a lease the write's record left out; never the other way.
                    leaseByRevision.merge(new RevKey(key.revision(), key.key()), lease.leaseId(),
                        (recorded, named) -> recorded == Mutation.NO_LEASE ? named : recorded);
                } else {
                    leaseByValue.putIfAbsent(new WriteIndex.KeyValue(key.key(), key.value()), lease.leaseId());
                }
            }
        }
    }

    /**
     * The lease the put of {@code value} to {@code key} at {@code revision} was attached to, or
     * {@link Mutation#NO_LEASE}. A known revision decides; the value only names a put whose
     * revision the client never learnt.
     */
    long leaseOf(final String key, final String value, final long revision) {
        final Long byRevision = leaseByRevision.get(new RevKey(revision, key));
        if (byRevision != null) {
            return byRevision;
        }
        return leaseByValue.getOrDefault(new WriteIndex.KeyValue(key, value), Mutation.NO_LEASE);
    }

    /** The lease {@code put} was attached to, by its revision when it has one, else by its value. */
    long leaseOf(final KvWrite put) {
        final long leaseId = leaseOf(put.key(), put.mutation().value(), put.revision());
        return leaseId != Mutation.NO_LEASE ? leaseId : put.mutation().leaseId();
    }

    /** How {@code leaseId} ended, {@link LeaseEnd#NONE} if the run never saw it end. */
    LeaseEnd end(final long leaseId) {
        final LeaseFacts lease = facts.get(leaseId);
        return lease == null ? LeaseEnd.NONE : lease.end();
    }

    boolean ended(final long leaseId) {
        return leaseId != Mutation.NO_LEASE && end(leaseId).ended();
    }

    /** The facts of {@code leaseId}, or facts saying only that it exists. */
    LeaseFacts facts(final long leaseId) {
        return facts.getOrDefault(leaseId, new LeaseFacts(leaseId, List.of(), LeaseEnd.NONE));
    }
}
