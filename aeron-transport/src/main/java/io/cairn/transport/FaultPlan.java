package io.cairn.transport;

import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The faults a {@link FaultInjectingFrameHandler} applies to the frames one member receives on one stream, for
 * tests. Faults act on arrival, after the wire, so they look to the transport exactly like a lossy network: a
 * partition between A and B is "A ignores B" plus "B ignores A"; a one-way partition is only one of them.
 * Settable from any thread while the transport runs.
 */
public final class FaultPlan {
    private final SplittableRandom random;
    private final Set<Long> blockedSenders = ConcurrentHashMap.newKeySet();
    private volatile double dropProbability;
    private volatile double duplicateProbability;
    private volatile long delayNs;
    private volatile double corruptProbability;
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong duplicated = new AtomicLong();
    final AtomicLong delayed = new AtomicLong();
    final AtomicLong corrupted = new AtomicLong();

    public FaultPlan(final long seed) {
        random = new SplittableRandom(seed);
    }

    /** Each frame is lost with this probability. */
    public FaultPlan drop(final double probability) {
        dropProbability = probability;
        return this;
    }

    /** Each delivered frame is delivered a second time with this probability. */
    public FaultPlan duplicate(final double probability) {
        duplicateProbability = probability;
        return this;
    }

    /** Each delivered frame has one byte of its last 64 changed with this probability (payload damage). */
    public FaultPlan corrupt(final double probability) {
        corruptProbability = probability;
        return this;
    }

    /** Every frame is held this long before delivery (order is kept). */
    public FaultPlan delay(final long nanos) {
        delayNs = nanos;
        return this;
    }

    /** Frames from {@code sender} no longer arrive here: one direction of a partition. */
    public FaultPlan blockFrom(final long sender) {
        blockedSenders.add(sender);
        return this;
    }

    public FaultPlan unblockFrom(final long sender) {
        blockedSenders.remove(sender);
        return this;
    }

    /** No more faults (frames already held for delay are still delivered). */
    public FaultPlan heal() {
        blockedSenders.clear();
        dropProbability = 0;
        duplicateProbability = 0;
        delayNs = 0;
        corruptProbability = 0;
        return this;
    }

    public long droppedFrames() {
        return dropped.get();
    }

    public long duplicatedFrames() {
        return duplicated.get();
    }

    public long corruptedFrames() {
        return corrupted.get();
    }

    public long delayedFrames() {
        return delayed.get();
    }

    boolean blocks(final long sender) {
        return !blockedSenders.isEmpty() && blockedSenders.contains(sender);
    }

    /** Draws are made on the transport's thread only, so one generator serves. */
    boolean drawDrop() {
        final double p = dropProbability;
        return p > 0 && random.nextDouble() < p;
    }

    boolean drawDuplicate() {
        final double p = duplicateProbability;
        return p > 0 && random.nextDouble() < p;
    }

    boolean drawCorrupt() {
        final double p = corruptProbability;
        return p > 0 && random.nextDouble() < p;
    }

    int drawInt(final int bound) {
        return random.nextInt(bound);
    }

    long delayNs() {
        return delayNs;
    }
}
