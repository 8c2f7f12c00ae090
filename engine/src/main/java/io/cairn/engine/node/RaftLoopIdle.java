package io.cairn.engine.node;

import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.IdleStrategy;

/**
 * How the Raft loop waits when a duty cycle found nothing to do. Proposals and reads unpark it at
 * once; what arrives from peers is seen only when it next looks, so after recent work it parks
 * briefly ({@link #HOT_PARK_NANOS}: a follower answers an append, a leader hears the answers, within
 * tens of microseconds), and once quiet for {@link #HOT_WINDOW_NANOS} it parks long
 * ({@link #COLD_PARK_NANOS}), so an idle member costs little CPU (short parks all the time cost a
 * fifth of a core per member on this machine).
 */
final class RaftLoopIdle implements IdleStrategy {
    static final long HOT_PARK_NANOS = 50_000;
    static final long HOT_WINDOW_NANOS = 20_000_000;
    static final long COLD_PARK_NANOS = 1_000_000;

    private long hotUntilNanos = System.nanoTime() + HOT_WINDOW_NANOS;

    @Override
    public void idle(final int workCount) {
        final long now = System.nanoTime();
        if (workCount > 0) {
            hotUntilNanos = now + HOT_WINDOW_NANOS;
            return;
        }
        LockSupport.parkNanos(now - hotUntilNanos < 0 ? HOT_PARK_NANOS : COLD_PARK_NANOS);
    }

    @Override
    public void idle() {
        LockSupport.parkNanos(HOT_PARK_NANOS);
    }

    @Override
    public void reset() {
        hotUntilNanos = System.nanoTime() + HOT_WINDOW_NANOS;
    }

    @Override
    public String alias() {
        return "cairn-raft-loop";
    }
}
