package io.cairn.engine.mvcc;

/** Whether a lease exists, for Put's lease check; the lessor (lease issue) implements it. */
@FunctionalInterface
public interface LeaseLookup {
    /** Until leases exist, every lease id is unknown. */
    LeaseLookup NONE = id -> false;

    boolean exists(long leaseId);
}
