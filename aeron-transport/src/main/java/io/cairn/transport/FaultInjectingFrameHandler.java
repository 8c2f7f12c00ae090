package io.cairn.transport;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * A {@link FrameHandler} decorator that loses, duplicates, damages, delays or partitions frames according to a
 * {@link FaultPlan}. Delayed frames are copied into a bounded FIFO (the delay is the same for every frame, so due
 * times are in order) and released by {@link #releaseDue}; when the FIFO is full a frame is dropped, as a
 * congested network would.
 */
public final class FaultInjectingFrameHandler implements FrameHandler {
    /** Offset of the sender's member id in every raft-schema frame: 8-byte SBE header, clusterId, then from. */
    private static final int FROM_OFFSET = 16;
    private static final int DELAYED_FRAMES_MAX = 4096;

    private static final int CORRUPTED_TAIL_BYTES = 64;

    private final FaultPlan plan;
    private final ExpandableArrayBuffer corruptedFrame = new ExpandableArrayBuffer(4096);
    private final FrameHandler target;
    private final ExpandableArrayBuffer[] delayedFrames = new ExpandableArrayBuffer[DELAYED_FRAMES_MAX];
    private final int[] delayedLengths = new int[DELAYED_FRAMES_MAX];
    private final long[] delayedDueNs = new long[DELAYED_FRAMES_MAX];
    private int head;
    private int size;

    public FaultInjectingFrameHandler(final FaultPlan plan, final FrameHandler target) {
        this.plan = plan;
        this.target = target;
    }

    @Override
    public void onFrame(final DirectBuffer buffer, final int offset, final int length) {
        if (length >= FROM_OFFSET + Long.BYTES
            && plan.blocks(buffer.getLong(offset + FROM_OFFSET, ByteOrder.LITTLE_ENDIAN))) {
            plan.dropped.incrementAndGet();
            return;
        }
        if (plan.drawDrop()) {
            plan.dropped.incrementAndGet();
            return;
        }
        if (plan.drawCorrupt()) {
            // The received frame lives in Aeron's log buffer, which is not ours to write: damage a copy.
            corruptedFrame.putBytes(0, buffer, offset, length);
            final int at = length - 1 - plan.drawInt(Math.min(length, CORRUPTED_TAIL_BYTES));
            corruptedFrame.putByte(at, (byte) ~corruptedFrame.getByte(at));
            plan.corrupted.incrementAndGet();
            deliver(corruptedFrame, 0, length);
            return;
        }
        deliver(buffer, offset, length);
    }

    private void deliver(final DirectBuffer buffer, final int offset, final int length) {
        final int copies = plan.drawDuplicate() ? 2 : 1;
        if (copies == 2) {
            plan.duplicated.incrementAndGet();
        }
        final long delayNs = plan.delayNs();
        for (int i = 0; i < copies; i++) {
            if (delayNs > 0 || size > 0) {
                hold(buffer, offset, length, System.nanoTime() + delayNs);
            } else {
                target.onFrame(buffer, offset, length);
            }
        }
    }

    private void hold(final DirectBuffer buffer, final int offset, final int length, final long dueNs) {
        if (size == DELAYED_FRAMES_MAX) {
            plan.dropped.incrementAndGet();
            return;
        }
        final int slot = (head + size) % DELAYED_FRAMES_MAX;
        if (delayedFrames[slot] == null) {
            delayedFrames[slot] = new ExpandableArrayBuffer(Math.max(length, 256));
        }
        delayedFrames[slot].putBytes(0, buffer, offset, length);
        delayedLengths[slot] = length;
        delayedDueNs[slot] = dueNs;
        size++;
        plan.delayed.incrementAndGet();
    }

    /** Whether frames are held back, to be released later. */
    public boolean holdsFrames() {
        return size > 0;
    }

    /** Delivers held frames whose time has come; at most all of them. */
    public int releaseDue(final long nowNs) {
        int released = 0;
        while (size > 0 && delayedDueNs[head] - nowNs <= 0) {
            target.onFrame(delayedFrames[head], 0, delayedLengths[head]);
            head = (head + 1) % DELAYED_FRAMES_MAX;
            size--;
            released++;
        }
        return released;
    }
}
