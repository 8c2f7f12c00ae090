package io.cairn.engine.node;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.agrona.concurrent.IdleStrategy;

/**
 * How the Raft loop waits when a duty cycle found nothing to do. Proposals and reads unpark it at
 * once; what arrives from peers is seen only when it next looks, so for a while after the loop last
 * did work for clients ({@link RaftLoop#lastBusyNanos()}) it parks briefly ({@link #HOT_PARK_NANOS}:
 * a follower answers an append, a leader hears the answers, within tens of microseconds), and once
 * quiet for {@link #HOT_WINDOW_NANOS} it parks long ({@link #COLD_PARK_NANOS}), so an idle member
 * costs little CPU (short parks all the time cost a fifth of a core per member on this machine).
 * Heartbeats do not make it hot: see {@link RaftLoop#lastBusyNanos()}.
 */
final class RaftLoopIdle implements IdleStrategy {
    static final long HOT_PARK_NANOS = 50_000;
    static final long HOT_WINDOW_NANOS = 20_000_000;
    static final long COLD_PARK_NANOS = 1_000_000;

    private final LongSupplier lastBusyNanos;

    RaftLoopIdle(final LongSupplier lastBusyNanos) {
        this.lastBusyNanos = lastBusyNanos;
    }

    @Override
    public void idle(final int workCount) {
        if (workCount > 0) {
            return;
        }
        LockSupport.parkNanos(parkNanos(System.nanoTime(), lastBusyNanos.getAsLong()));
    }

    /** The park after an empty duty cycle at {@code nowNanos}, the loop last busy at {@code lastBusyNanos}. */
    static long parkNanos(final long nowNanos, final long lastBusyNanos) {
        return nowNanos - lastBusyNanos < HOT_WINDOW_NANOS ? HOT_PARK_NANOS : COLD_PARK_NANOS;
    }

    @Override
    public void idle() {
        LockSupport.parkNanos(HOT_PARK_NANOS);
    }

    @Override
    public void reset() {
    }

    @Override
    public String alias() {
        return "cairn-raft-loop";
    }
}
