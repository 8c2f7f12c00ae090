package io.cairn.chaos.check;

import java.util.List;
import java.util.Objects;

/** What the run knows of one lease: the puts attached to it and how it ended. */
public record LeaseFacts(long leaseId, List<LeasedKey> keys, LeaseEnd end) {
    public LeaseFacts {
        keys = List.copyOf(keys);
        Objects.requireNonNull(end, "end");
        if (leaseId == Mutation.NO_LEASE) {
            throw new IllegalArgumentException("lease id 0 means no lease");
        }
    }

    @Override
    public String toString() {
        return "lease " + Long.toHexString(leaseId) + " (" + keys.size() + " puts, " + end + ")";
    }
}
