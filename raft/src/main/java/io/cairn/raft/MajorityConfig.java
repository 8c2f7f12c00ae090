package io.cairn.raft;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.function.LongUnaryOperator;

/** A set of voters decided by simple majority. The empty config agrees to everything, so joint rules stay uniform. */
final class MajorityConfig {
    static final MajorityConfig EMPTY = new MajorityConfig(new long[0]);

    private final long[] ids;
    private final long[] scratch;

    private MajorityConfig(final long[] sortedIds) {
        this.ids = sortedIds;
        this.scratch = new long[sortedIds.length];
    }

    static MajorityConfig of(final Collection<Long> ids) {
        final long[] sorted = ids.stream().mapToLong(Long::longValue).sorted().distinct().toArray();
        return sorted.length == 0 ? EMPTY : new MajorityConfig(sorted);
    }

    int size() {
        return ids.length;
    }

    long id(final int position) {
        return ids[position];
    }

    boolean contains(final long id) {
        return Arrays.binarySearch(ids, id) >= 0;
    }

    /** The highest index a majority has acknowledged; matchOf gives each voter's (0 when unknown). */
    long committedIndex(final LongUnaryOperator matchOf) {
        final int n = ids.length;
        if (n == 0) {
            return Long.MAX_VALUE;
        }
        for (int i = 0; i < n; i++) {
            scratch[i] = matchOf.applyAsLong(ids[i]);
        }
        Arrays.sort(scratch, 0, n);
        return scratch[n - (n / 2 + 1)];
    }

    /** Votes maps id to granted; a voter missing from it has not answered. */
    VoteResult voteResult(final Map<Long, Boolean> votes) {
        if (ids.length == 0) {
            return VoteResult.WON;
        }
        int granted = 0;
        int missing = 0;
        for (final long id : ids) {
            final Boolean vote = votes.get(id);
            if (vote == null) {
                missing++;
            } else if (vote) {
                granted++;
            }
        }
        final int quorum = ids.length / 2 + 1;
        if (granted >= quorum) {
            return VoteResult.WON;
        }
        return granted + missing >= quorum ? VoteResult.PENDING : VoteResult.LOST;
    }

    @Override
    public String toString() {
        return Arrays.toString(ids);
    }
}
