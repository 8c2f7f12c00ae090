package io.cairn.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The same seed gives the same run: randomness enters only through {@link Randomness}. */
class DeterminismTest {
    /** Ticks a 5-node cluster from cold until someone leads; returns (ticks, leader, term). */
    private static List<Long> firstElection(final long seed) {
        final TestNet net = new TestNet();
        final Long[] ids = {1L, 2L, 3L, 4L, 5L};
        for (final long id : ids) {
            final MemoryLogStorage storage = MemoryLogStorage.bootstrap(1, 1, ConfState.ofVoters(ids));
            net.storages.put(id, storage);
            net.nodes.put(id, new RaftNode(RaftConfig.defaults(id).withAppliedIndex(1), storage,
                Randomness.seeded(seed * 31 + id)));
            net.applied.put(id, new ArrayList<>());
            net.reads.put(id, new ArrayList<>());
        }
        for (long tick = 1; tick <= 1000; tick++) {
            for (final long id : ids) {
                net.node(id).tick();
            }
            net.stabilize();
            for (final long id : ids) {
                if (net.node(id).role() == RaftRole.LEADER) {
                    return List.of(tick, id, net.node(id).term());
                }
            }
        }
        throw new AssertionError("no leader in 1000 ticks");
    }

    @Test
    void sameSeedSameElection() {
        assertEquals(firstElection(7), firstElection(7));
        final List<List<Long>> outcomes = new ArrayList<>();
        for (long seed = 1; seed <= 10; seed++) {
            outcomes.add(firstElection(seed));
        }
        assertNotEquals(1, outcomes.stream().map(o -> o.get(1)).distinct().count(),
            "different seeds pick different winners");
    }

    @Test
    void electionTimeoutIsRandomizedWithinOneToTwoTimeouts() {
        for (long seed = 1; seed <= 50; seed++) {
            final long ticks = firstElection(seed).getFirst();
            assertEquals(true, ticks >= 10 && ticks < 20 + 5, "seed " + seed + " took " + ticks + " ticks");
        }
    }
}
