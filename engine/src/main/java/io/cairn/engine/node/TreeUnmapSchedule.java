package io.cairn.engine.node;

import java.util.concurrent.TimeUnit;

/**
 * When the tree sync thread unmaps the tree's pages ({@code Env.unmapPages}): every
 * {@link #EVERY_NANOS}, and once the writes have stopped for {@link #QUIET_NANOS} after some were
 * applied since the last unmap. Pure: the caller passes the time and its count of writes.
 *
 * <p>Why both: unmapping keeps the member's resident set at the pages read lately instead of every
 * page ever read, and a load's end is when an operator looks at it, so the quiet rule brings the
 * figure down about a second after the writes stop. Under writes, though, every unmap makes the next
 * put on each leaf fault its page in again, and a fault here cost 40-60 us of the Raft loop's
 * thread (the kernel maps up to 16 neighbours each time, and this machine is a PVM guest, whose
 * page-table changes go through the hypervisor): unmapping once a second cost a member 12-19 us of
 * that thread per put (35-42 us against 22-25 never unmapped) after 400,000 puts over 100,000 keys;
 * every 5 s, 24-25 us in two runs of three. Not every 10 s: what a load maps meanwhile stays in the
 * resident set until the next unmap (engine/README.md, "Memory: unmapped when the writes stop").
 */
final class TreeUnmapSchedule {
    static final long EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);
    static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final long everyNanos;
    private long lastUnmapNanos;
    private long writesAtLastUnmap;
    private long writesSeen;
    private long writesSeenChangedNanos;

    /**
     * @param everyNanos {@link #EVERY_NANOS}, or a test's shorter period
     * @param writes     the caller's count of writes so far (it only grows); the tree counts as unmapped
     *                   at {@code nowNanos} with these writes in it
     */
    TreeUnmapSchedule(final long everyNanos, final long nowNanos, final long writes) {
        this.everyNanos = everyNanos;
        lastUnmapNanos = nowNanos;
        writesAtLastUnmap = writes;
        writesSeen = writes;
        writesSeenChangedNanos = nowNanos;
    }

    /** Whether to unmap now; called often (the sync thread's every wake-up), since it notes when the writes last moved. */
    boolean due(final long nowNanos, final long writes) {
        if (writes != writesSeen) {
            writesSeen = writes;
            writesSeenChangedNanos = nowNanos;
        }
        if (nowNanos - lastUnmapNanos >= everyNanos) {
            return true;
        }
        return writes != writesAtLastUnmap && nowNanos - writesSeenChangedNanos >= QUIET_NANOS;
    }

    /** The tree was unmapped at {@code nowNanos}, with {@code writes} (read before the unmap) in it. */
    void unmapped(final long nowNanos, final long writes) {
        lastUnmapNanos = nowNanos;
        writesAtLastUnmap = writes;
    }
}
