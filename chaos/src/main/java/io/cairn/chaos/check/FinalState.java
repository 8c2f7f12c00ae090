package io.cairn.chaos.check;

import java.util.Map;
import java.util.Objects;

/**
 * One member's state once the faults stopped and the cluster settled: every workload key it holds,
 * its revision, and optionally its HashKV.
 *
 * @param keys the workload's keys only (the harness's key space), key to value and mod_revision
 * @param hashKv the HashKV answer at a revision common to all members, or null when not taken
 */
public record FinalState(String member, long revision, Map<String, Stored> keys, HashKv hashKv) {
    /** HashKV's hash of the MVCC history up to {@code revision}, after compaction at {@code compactRevision}. */
    public record HashKv(long revision, long compactRevision, long hash) {
    }

    public FinalState {
        Objects.requireNonNull(member, "member");
        keys = Map.copyOf(keys);
    }
}
