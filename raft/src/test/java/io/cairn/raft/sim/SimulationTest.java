package io.cairn.raft.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Seeded whole-cluster simulations. A failure names its seed and the command that replays it alone:
 * {@code ./mvnw -pl raft verify -Dtest=SimulationTest#replay -Dcairn.raft.seed=SEED -Dcairn.raft.steps=STEPS}.
 */
class SimulationTest {
    static final int DEFAULT_SEEDS = 500;
    static final int SLOW_SEEDS = 20_000;
    static final int STEPS = 2_000;

    @Test
    void defaultSeeds() {
        runSeeds(1, DEFAULT_SEEDS, STEPS);
    }

    @Test
    @Tag("slow")
    void twentyThousandSeeds() {
        runSeeds(1, SLOW_SEEDS, STEPS);
    }

    /** Replays one seed given by -Dcairn.raft.seed (and optionally -Dcairn.raft.steps), printing its summary. */
    @Test
    void replay() {
        final String seed = System.getProperty("cairn.raft.seed");
        Assumptions.assumeTrue(seed != null, "set -Dcairn.raft.seed to replay one seed");
        final int steps = Integer.getInteger("cairn.raft.steps", STEPS);
        final Simulation simulation = new Simulation(Long.parseLong(seed), steps);
        simulation.run();
        System.out.println(simulation.summary());
    }

    /** The harness must be able to fail: a cluster that commits nothing would pass every safety check. */
    @Test
    void simulationsMakeProgress() {
        long commits = 0;
        for (long seed = 1; seed <= 20; seed++) {
            final Simulation simulation = new Simulation(seed, STEPS);
            simulation.run();
            commits += simulation.committedIndex();
            assertTrue(simulation.acknowledgedWrites() > 0, () -> "no write acknowledged: " + simulation.summary());
        }
        assertTrue(commits > 20 * 30, "too little progress: " + commits + " entries committed over 20 seeds");
    }

    private static void runSeeds(final long first, final int count, final int steps) {
        for (long seed = first; seed < first + count; seed++) {
            final Simulation simulation = new Simulation(seed, steps);
            try {
                simulation.run();
            } catch (final AssertionError | RuntimeException e) {
                final String replay = "./mvnw -pl raft verify -Dtest=SimulationTest#replay -Dcairn.raft.seed=" + seed
                    + " -Dcairn.raft.steps=" + steps;
                System.err.println("seed " + seed + " failed at step " + simulation.step() + ": " + e
                    + "\nreplay alone with: " + replay + simulation.describeNodes());
                fail("seed " + seed + " failed at step " + simulation.step() + "; replay alone with: " + replay, e);
            }
        }
    }
}
