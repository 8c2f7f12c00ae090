package io.cairn.engine.lease;

/**
 * @param minTtlSeconds           the shortest TTL granted (etcd derives it from the election timeout)
 * @param checkpointIntervalNanos how often remaining TTLs are persisted through the log
 */
public record LeaseOptions(long minTtlSeconds, long checkpointIntervalNanos) {
    public LeaseOptions {
        if (minTtlSeconds < 1 || checkpointIntervalNanos < 1) {
            throw new IllegalArgumentException("lease minimum TTL and checkpoint interval must be positive");
        }
    }
}
