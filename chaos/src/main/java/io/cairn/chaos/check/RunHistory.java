package io.cairn.chaos.check;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything a fault-injection run recorded, as the checks take it. Each list is in any order
 * unless its type says otherwise (a watch's events are in delivery order).
 */
public record RunHistory(List<KvWrite> writes, List<KvRead> reads, List<WatchLog> watches, List<LeaseFacts> leases,
                         List<FinalState> finalStates, List<MemberRestart> restarts) {
    public RunHistory {
        writes = List.copyOf(writes);
        reads = List.copyOf(reads);
        watches = List.copyOf(watches);
        leases = List.copyOf(leases);
        finalStates = List.copyOf(finalStates);
        restarts = List.copyOf(restarts);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The first invocation in the run: the zero of the times printed in violations. */
    public long originNanos() {
        long origin = Long.MAX_VALUE;
        for (final KvWrite write : writes) {
            origin = Math.min(origin, write.span().invokedNanos());
        }
        for (final KvRead read : reads) {
            origin = Math.min(origin, read.span().invokedNanos());
        }
        return origin == Long.MAX_VALUE ? 0 : origin;
    }

    /** Collects a history piece by piece; not thread-safe (the harness merges its threads' logs first). */
    public static final class Builder {
        private final List<KvWrite> writes = new ArrayList<>();
        private final List<KvRead> reads = new ArrayList<>();
        private final List<WatchLog> watches = new ArrayList<>();
        private final List<LeaseFacts> leases = new ArrayList<>();
        private final List<FinalState> finalStates = new ArrayList<>();
        private final List<MemberRestart> restarts = new ArrayList<>();

        private Builder() {
        }

        public Builder write(final KvWrite write) {
            writes.add(write);
            return this;
        }

        public Builder read(final KvRead read) {
            reads.add(read);
            return this;
        }

        public Builder watch(final WatchLog watch) {
            watches.add(watch);
            return this;
        }

        public Builder lease(final LeaseFacts lease) {
            leases.add(lease);
            return this;
        }

        public Builder finalState(final FinalState finalState) {
            finalStates.add(finalState);
            return this;
        }

        public Builder restart(final MemberRestart restart) {
            restarts.add(restart);
            return this;
        }

        public RunHistory build() {
            return new RunHistory(writes, reads, watches, leases, finalStates, restarts);
        }
    }
}
