package io.cairn.posix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Runs seeded power-cut trials the same way in every module: {@code count} trials with seeds from a
 * random base, or the one trial {@code -Dcairn.powercut.seed=S} names; a failure is rethrown with its
 * seed and the property that replays it. {@code -Dcairn.powercut.trials=N} changes the count.
 *
 * <p>The seed fixes a trial's workload, where its power cut lands and what the revert keeps; threads
 * still interleave as they will, so a replay repeats the trial, not always its schedule.
 */
public final class PowerCutTrials {
    public static final String SEED_PROPERTY = "cairn.powercut.seed";
    public static final String TRIALS_PROPERTY = "cairn.powercut.trials";

    /** One trial: throws (an AssertionError, or whatever the code under test threw) if it failed. */
    @FunctionalInterface
    public interface Trial {
        void run(long seed) throws Exception;
    }

    /** One trial in a fresh directory of its own. */
    @FunctionalInterface
    public interface TrialInDirectory {
        void run(long seed, Path root) throws Exception;
    }

    /** How a run went, for the test to print. */
    public record Summary(String name, int trials, long elapsedMillis) {
        @Override
        public String toString() {
            return name + ": " + trials + " power-cut trials in " + elapsedMillis + " ms";
        }
    }

    private PowerCutTrials() {
    }

    /**
     * As {@link #run}, each trial in its own directory {@code trial-<seed>} under {@code parent}:
     * deleted when the trial passes, kept for a look when it fails.
     */
    public static Summary runInDirectories(String name, int count, Path parent, TrialInDirectory trial) {
        return run(name, count, seed -> {
            Path root = parent.resolve("trial-" + Long.toHexString(seed));
            Files.createDirectories(root);
            trial.run(seed, root);
            FileTrees.deleteIfPresent(root);
        });
    }

    public static Summary run(String name, int count, Trial trial) {
        Long replay = Long.getLong(SEED_PROPERTY);
        int trials = replay != null ? 1 : Integer.getInteger(TRIALS_PROPERTY, count);
        SplittableRandom seeds = new SplittableRandom(replay != null ? 0 : System.nanoTime());
        long start = System.nanoTime();
        for (int i = 0; i < trials; i++) {
            long seed = replay != null ? replay : seeds.nextLong();
            try {
                trial.run(seed);
            } catch (Throwable t) {
                throw new AssertionError(name + ": trial " + (i + 1) + " of " + trials + " failed with seed " + seed
                        + "; replay it with -D" + SEED_PROPERTY + "=" + seed + ": " + t, t);
            }
        }
        return new Summary(name, trials, (System.nanoTime() - start) / 1_000_000);
    }
}
