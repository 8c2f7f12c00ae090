package io.cairn.engine.node;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;
import org.agrona.concurrent.IdleStrategy;

/**
 * How the Raft loop waits when a duty cycle found nothing to do. Proposals and reads end the wait at
 * once ({@link RaftLoop#wake}). How the rest is seen depends on the peers:
 *
 * <ul>
 *   <li>With a transport whose sockets can be waited on (the members' INVOKER-mode media driver), the
 *       loop sleeps on them ({@link RaftLoop#awaitTraffic}): a datagram from a peer wakes it. The bound
 *       on the wait is for what nothing signals (an install the apply thread finished, a WAL release,
 *       the driver's own timers): {@link #HOT_WAIT_MS} for a while after the loop last did work for
 *       clients ({@link RaftLoop#lastBusyNanos()}), {@link #COLD_WAIT_MS} once quiet, and never past
 *       the next tick. Polling every socket on a 1 ms timer instead kept an idle member at 4-10% of a
 *       core (engine/README.md, "Idle members sleep on their sockets"). A member alone waits the same
 *       way with nothing to wait on ({@link Peers#NONE}): only a wake or the bound ends its wait.</li>
 *   <li>Otherwise (a driver with threads of its own, in tests) it parks. What arrives from peers
 *       is seen only when it next looks, so for {@link #HOT_WINDOW_NANOS} after the loop was last busy
 *       it parks briefly ({@link #HOT_PARK_NANOS}: a follower answers an append, a leader hears the
 *       answers, within tens of microseconds), and then long ({@link #COLD_PARK_NANOS}).</li>
 * </ul>
 *
 * Heartbeats do not make the loop hot: see {@link RaftLoop#lastBusyNanos()}.
 */
final class RaftLoopIdle implements IdleStrategy {
    static final long HOT_PARK_NANOS = 50_000;
    static final long HOT_WINDOW_NANOS = 20_000_000;
    static final long COLD_PARK_NANOS = 1_000_000;
    static final long HOT_WAIT_MS = 1;
    static final long COLD_WAIT_MS = 50;

    private final LongSupplier lastBusyNanos;
    private final LongPredicate awaitTrafficMs;

    /**
     * @param awaitTrafficMs waits on the peers' sockets for at most the given milliseconds; false when it cannot
     */
    RaftLoopIdle(final LongSupplier lastBusyNanos, final LongPredicate awaitTrafficMs) {
        this.lastBusyNanos = lastBusyNanos;
        this.awaitTrafficMs = awaitTrafficMs;
    }

    @Override
    public void idle(final int workCount) {
        if (workCount > 0) {
            return;
        }
        final long now = System.nanoTime();
        final long lastBusy = lastBusyNanos.getAsLong();
        if (!awaitTrafficMs.test(isHot(now, lastBusy) ? HOT_WAIT_MS : COLD_WAIT_MS)) {
            LockSupport.parkNanos(parkNanos(now, lastBusy));
        }
    }

    /** Whether an empty duty cycle at {@code nowNanos}, the loop last busy at {@code lastBusyNanos}, waits briefly. */
    static boolean isHot(final long nowNanos, final long lastBusyNanos) {
        return nowNanos - lastBusyNanos < HOT_WINDOW_NANOS;
    }

    /** The park after an empty duty cycle at {@code nowNanos} when the peers cannot be waited on. */
    static long parkNanos(final long nowNanos, final long lastBusyNanos) {
        return isHot(nowNanos, lastBusyNanos) ? HOT_PARK_NANOS : COLD_PARK_NANOS;
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
