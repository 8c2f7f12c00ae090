package io.cairn.raft;

import java.util.SplittableRandom;

/** The only source of chance in Raft: randomized election timeouts. Seeded, so a run replays exactly. */
public interface Randomness {
    /** A uniformly chosen int in [0, bound). */
    int nextInt(int bound);

    static Randomness seeded(final long seed) {
        final SplittableRandom random = new SplittableRandom(seed);
        return random::nextInt;
    }
}
