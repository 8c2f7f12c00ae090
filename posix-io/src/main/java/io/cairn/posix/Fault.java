package io.cairn.posix;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * One rule of a {@link FaultyPosix}: calls of one kind on matching paths fail with an errno, or are
 * slowed down, a number of times or until {@link #clear() cleared}.
 */
public final class Fault {
    static final long UNTIL_CLEARED = Long.MAX_VALUE;

    private final Call call;
    private final Predicate<Path> paths;
    private final int errno; // 0: a delay only
    private final long delayNanos;
    private final AtomicLong remaining;
    private final AtomicLong hits = new AtomicLong();
    private volatile boolean cleared;

    Fault(Call call, Predicate<Path> paths, int errno, long delayNanos, long times) {
        if (times < 1) {
            throw new IllegalArgumentException("a fault needs at least one time, got " + times);
        }
        this.call = call;
        this.paths = paths;
        this.errno = errno;
        this.delayNanos = delayNanos;
        this.remaining = new AtomicLong(times);
    }

    /** Whether this rule applies to a call now; if so counts a hit and uses up one of its times. */
    boolean take(Call c, Path path) {
        if (cleared || c != call || !paths.test(path)) {
            return false;
        }
        while (true) {
            long left = remaining.get();
            if (left <= 0) {
                return false;
            }
            if (left == UNTIL_CLEARED || remaining.compareAndSet(left, left - 1)) {
                hits.incrementAndGet();
                return true;
            }
        }
    }

    boolean injectsError() {
        return errno != 0;
    }

    int errno() {
        return errno;
    }

    long delayNanos() {
        return delayNanos;
    }

    /** How many calls this rule has failed or delayed. */
    public long hits() {
        return hits.get();
    }

    /** Stops the rule; calls from now on go through untouched. */
    public void clear() {
        cleared = true;
    }

    /** Whether the rule can still fire: not cleared, times left. */
    public boolean active() {
        return !cleared && remaining.get() > 0;
    }

    @Override
    public String toString() {
        return (errno != 0 ? Errno.name(errno) : "delay " + delayNanos + " ns") + " on " + call.libcName()
                + ", " + hits() + " hits" + (active() ? "" : ", done");
    }
}
