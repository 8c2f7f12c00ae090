package io.cairn.engine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** etcd 3.4's comparison rules, case by case. */
class HashComparisonTest {
    private static final HashComparison.Answer LEADER = new HashComparison.Answer(1, 100, 50, 10);

    @Test
    void theInitialCheckComparesOnlyAtTheSameCompaction() {
        assertTrue(HashComparison.initialMismatches(LEADER, List.of(
            new HashComparison.Answer(2, 100, 50, 10),       // equal
            new HashComparison.Answer(3, 999, 50, 20))).isEmpty(), "another compaction cannot be compared");
        assertEquals(1, HashComparison.initialMismatches(LEADER, List.of(
            new HashComparison.Answer(2, 999, 50, 10))).size());
    }

    @Test
    void theLeaderFlagsDifferentHashesAndFollowersAheadOfIt() {
        assertTrue(HashComparison.leaderMismatches(LEADER, LEADER, List.of(
            new HashComparison.Answer(2, 100, 50, 10), new HashComparison.Answer(3, 7, 49, 5))).isEmpty());
        assertEquals(1, HashComparison.leaderMismatches(LEADER, LEADER, List.of(
            new HashComparison.Answer(2, 101, 50, 10))).size(), "same compaction, another hash");
        assertEquals(1, HashComparison.leaderMismatches(LEADER, LEADER, List.of(
            new HashComparison.Answer(2, 100, 51, 9))).size(), "a follower ahead in revision");
        assertEquals(1, HashComparison.leaderMismatches(LEADER, LEADER, List.of(
            new HashComparison.Answer(2, 5, 50, 11))).size(), "a follower ahead in compaction");
        assertEquals(1, HashComparison.leaderMismatches(LEADER, new HashComparison.Answer(1, 101, 50, 10), List.of())
            .size(), "the leader's own hash moved at the same revision");
        assertTrue(HashComparison.leaderMismatches(LEADER, new HashComparison.Answer(1, 101, 51, 10), List.of())
            .isEmpty(), "the leader moved on: a new hash is expected");
    }
}
