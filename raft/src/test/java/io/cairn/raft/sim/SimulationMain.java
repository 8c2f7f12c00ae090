package io.cairn.raft.sim;

/**
 * Runs a range of seeds outside JUnit and prints each one's summary, for tuning and exploring:
 * {@code java -ea -cp raft/target/classes:raft/target/test-classes io.cairn.raft.sim.SimulationMain FIRST COUNT STEPS}.
 */
public final class SimulationMain {
    private SimulationMain() {
    }

    public static void main(final String[] args) {
        final long first = Long.parseLong(args[0]);
        final int count = Integer.parseInt(args[1]);
        final int steps = Integer.parseInt(args[2]);
        final long start = System.nanoTime();
        long commits = 0;
        long writes = 0;
        for (long seed = first; seed < first + count; seed++) {
            final Simulation simulation = new Simulation(seed, steps);
            try {
                simulation.run();
                commits += simulation.committedIndex();
                writes += simulation.acknowledgedWrites();
                if (count <= 50) {
                    System.out.println(simulation.summary());
                }
            } catch (final AssertionError | RuntimeException e) {
                System.out.println("seed " + seed + " FAILED at step " + simulation.step() + ": " + e
                    + simulation.describeNodes());
                e.printStackTrace(System.out);
                return;
            }
        }
        System.out.println(count + " seeds in " + (System.nanoTime() - start) / 1_000_000 + " ms; per seed: "
            + commits / count + " committed, " + writes / count + " writes acknowledged");
    }
}
