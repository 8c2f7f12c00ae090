package io.cairn.raft;

/**
 * The APPENDs sent to one follower and not yet acknowledged, as a ring of (last index, bytes). The leader stops
 * sending when it is full, which bounds memory and the work a slow follower can queue.
 */
final class Inflights {
    private final long[] lastIndexes;
    private final long[] bytes;
    private final long maxBytes;
    private int start;
    private int count;
    private long totalBytes;

    Inflights(final int maxMessages, final long maxBytes) {
        assert maxMessages > 0 && maxBytes >= 0;
        this.lastIndexes = new long[maxMessages];
        this.bytes = new long[maxMessages];
        this.maxBytes = maxBytes;
    }

    void add(final long lastIndex, final long messageBytes) {
        assert !full() : "inflights full";
        assert count == 0 || lastIndexes[(start + count - 1) % lastIndexes.length] < lastIndex
            : "inflight indexes must grow";
        final int slot = (start + count) % lastIndexes.length;
        lastIndexes[slot] = lastIndex;
        bytes[slot] = messageBytes;
        count++;
        totalBytes += messageBytes;
    }

    /** Forget every message whose entries are all at or below index: the follower has them. */
    void freeTo(final long index) {
        while (count > 0 && lastIndexes[start] <= index) {
            totalBytes -= bytes[start];
            start = (start + 1) % lastIndexes.length;
            count--;
        }
    }

    boolean full() {
        return count == lastIndexes.length || (maxBytes > 0 && totalBytes >= maxBytes);
    }

    int count() {
        return count;
    }

    void reset() {
        start = 0;
        count = 0;
        totalBytes = 0;
    }
}
