package io.cairn.chaos.check;

/** Whether a key may rightly be absent at some point after its last acknowledged write. */
final class Absence {
    private Absence() {
    }

    /**
     * True when {@code lastAcknowledged} (the key's last acknowledged write up to that point, or
     * null) is a delete, or a put whose lease ended, or when some indeterminate write may have
     * deleted the key later: an indeterminate delete, or an indeterminate put whose lease ended.
     */
    static boolean explained(final String key, final KvWrite lastAcknowledged, final WriteIndex writes,
        final LeaseIndex leases) {
        if (lastAcknowledged == null || lastAcknowledged.mutation().type() == ChangeType.DELETE
            || leases.ended(leases.leaseOf(lastAcknowledged))) {
            return true;
        }
        return writes.indeterminate(key).stream().anyMatch(write -> write.mutation().type() == ChangeType.DELETE
            || leases.ended(leases.leaseOf(write)));
    }
}
