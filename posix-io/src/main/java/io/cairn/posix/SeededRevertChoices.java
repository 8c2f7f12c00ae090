package io.cairn.posix;

import java.util.Random;

/** Each choice uniform from a seeded {@link Random}: a write kept, dropped or torn a third of the time each. */
final class SeededRevertChoices implements RevertChoices {
    private static final Fate[] FATES = Fate.values();
    private final Random random;

    SeededRevertChoices(long seed) {
        this.random = new Random(seed);
    }

    @Override
    public Fate ofWrite() {
        return FATES[random.nextInt(FATES.length)];
    }

    @Override
    public boolean keepSector() {
        return random.nextBoolean();
    }

    @Override
    public boolean keepResize() {
        return random.nextBoolean();
    }

    @Override
    public boolean keepDirectoryOp() {
        return random.nextBoolean();
    }
}
