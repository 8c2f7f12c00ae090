package io.cairn.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Majority and joint quorum arithmetic, and the inflight window. */
class QuorumTest {
    @Test
    void majorityCommitIndexIsTheHighestIndexAMajorityHolds() {
        final MajorityConfig three = MajorityConfig.of(List.of(1L, 2L, 3L));
        final Map<Long, Long> match = Map.of(1L, 10L, 2L, 7L, 3L, 3L);
        assertEquals(7, three.committedIndex(id -> match.getOrDefault(id, 0L)));
        final MajorityConfig five = MajorityConfig.of(List.of(1L, 2L, 3L, 4L, 5L));
        final Map<Long, Long> match5 = Map.of(1L, 10L, 2L, 9L, 3L, 8L, 4L, 1L);
        assertEquals(8, five.committedIndex(id -> match5.getOrDefault(id, 0L)));
        assertEquals(Long.MAX_VALUE, MajorityConfig.EMPTY.committedIndex(id -> 0));
    }

    @Test
    void jointCommitIndexNeedsBothHalves() {
        final JointConfig joint = new JointConfig(MajorityConfig.of(List.of(1L, 2L, 3L)),
            MajorityConfig.of(List.of(3L, 4L, 5L)));
        final Map<Long, Long> match = Map.of(1L, 9L, 2L, 9L, 3L, 5L, 4L, 2L, 5L, 1L);
        assertEquals(2, joint.committedIndex(id -> match.getOrDefault(id, 0L)), "outgoing majority holds only 2");
    }

    @Test
    void votesAreWonLostOrPending() {
        final MajorityConfig three = MajorityConfig.of(List.of(1L, 2L, 3L));
        assertEquals(VoteResult.WON, three.voteResult(Map.of(1L, true, 2L, true)));
        assertEquals(VoteResult.PENDING, three.voteResult(Map.of(1L, true, 2L, false)));
        assertEquals(VoteResult.LOST, three.voteResult(Map.of(1L, true, 2L, false, 3L, false)));
        final JointConfig joint = new JointConfig(three, MajorityConfig.of(List.of(4L, 5L, 6L)));
        assertEquals(VoteResult.PENDING, joint.voteResult(Map.of(1L, true, 2L, true)));
        assertEquals(VoteResult.LOST, joint.voteResult(Map.of(1L, true, 2L, true, 4L, false, 5L, false)));
        assertEquals(VoteResult.WON, joint.voteResult(Map.of(1L, true, 2L, true, 4L, true, 6L, true)));
    }

    @Test
    void inflightsFillAndFreeInOrder() {
        final Inflights inflights = new Inflights(3, 0);
        inflights.add(5, 100);
        inflights.add(8, 100);
        assertFalse(inflights.full());
        inflights.add(9, 100);
        assertTrue(inflights.full());
        inflights.freeTo(8);
        assertEquals(1, inflights.count());
        inflights.add(12, 100);
        inflights.add(15, 100);
        assertTrue(inflights.full());
        inflights.freeTo(100);
        assertEquals(0, inflights.count());
    }

    @Test
    void inflightsAlsoBoundBytes() {
        final Inflights inflights = new Inflights(100, 250);
        inflights.add(1, 100);
        inflights.add(2, 100);
        assertFalse(inflights.full());
        inflights.add(3, 100);
        assertTrue(inflights.full());
    }
}
