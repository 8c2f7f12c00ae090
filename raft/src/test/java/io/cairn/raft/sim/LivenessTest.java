package io.cairn.raft.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Liveness: after a chaotic run the network heals (no cuts, no loss, every node restarted), and within
 * {@link Simulation#LIVENESS_MAX_TICKS} ticks a leader must be known to every voter and every pending client write
 * must be acknowledged; then every voter must apply everything committed (Simulation.run checks all three and
 * throws otherwise). Every seed of {@link SimulationTest} ends this way; this test states it on its own seeds and
 * reports how close to the bound the slowest recovery came.
 */
class LivenessTest {
    @Test
    void healedClusterElectsALeaderAndCommitsEveryPendingWrite() {
        long slowest = 0;
        long slowestSeed = 0;
        for (long seed = 1_000_001; seed <= 1_000_200; seed++) {
            final Simulation simulation = new Simulation(seed, SimulationTest.STEPS);
            simulation.run();
            assertTrue(simulation.livenessTicks > 0, "liveness was measured");
            if (simulation.livenessTicks > slowest) {
                slowest = simulation.livenessTicks;
                slowestSeed = seed;
            }
        }
        System.out.println("liveness: slowest recovery " + slowest + " ticks (seed " + slowestSeed + "), bound "
            + Simulation.LIVENESS_MAX_TICKS);
        assertTrue(slowest <= Simulation.LIVENESS_MAX_TICKS);
    }
}
