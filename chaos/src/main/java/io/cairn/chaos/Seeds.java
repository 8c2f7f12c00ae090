package io.cairn.chaos;

import java.util.SplittableRandom;

/**
 * Randomized tests' seeds, one way for all: {@code count} fresh seeds, or the one that
 * {@code -D<property>=<seed>} names; each is printed, and a failure says which seed failed and how
 * to replay it.
 */
public final class Seeds {
    /** One randomized run. */
    @FunctionalInterface
    public interface Run {
        void run(long seed) throws Exception;
    }

    private Seeds() {
    }

    public static void run(final String property, final int count, final Run run) throws Exception {
        final Long replay = Long.getLong(property);
        final SplittableRandom seeds = new SplittableRandom(System.nanoTime());
        for (int i = 0; i < (replay != null ? 1 : count); i++) {
            final long seed = replay != null ? replay : seeds.nextLong();
            System.out.println("seed " + seed + " (replay: -D" + property + "=" + seed + ")");
            try {
                run.run(seed);
            } catch (final AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + " (replay with -D" + property + "=" + seed + "): "
                    + e.getMessage(), e);
            }
        }
    }
}
