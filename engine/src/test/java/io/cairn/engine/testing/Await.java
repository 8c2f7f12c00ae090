package io.cairn.engine.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition that only time or another process brings about (a lease expiring, a
 * waiting call's key being written), checking it every {@link #CHECK_EVERY_MILLIS}, and fails the
 * test with {@code what} when it has not held within the bound.
 */
public final class Await {
    private static final long CHECK_EVERY_MILLIS = 20;

    private Await() {
    }

    public static void until(final BooleanSupplier condition, final long withinSeconds, final String what)
        throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(withinSeconds);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "waited " + withinSeconds + " s for " + what);
            TimeUnit.MILLISECONDS.sleep(CHECK_EVERY_MILLIS);
        }
    }
}
