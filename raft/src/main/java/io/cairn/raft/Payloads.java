package io.cairn.raft;

import java.util.Arrays;
import java.util.Objects;

/**
 * A batch of NORMAL entries' data for {@link RaftNode#proposeBatch(Payloads)}: each a slice of an array, so a host
 * can propose bytes it keeps in arrays it reuses (issue #21). The host owns and reuses the batch; Raft reads it during
 * the call only and keeps the slices themselves (in entries) until they leave its log.
 */
public final class Payloads {
    private byte[][] buffers;
    private int[] offsets;
    private int[] lengths;
    private int size;

    public Payloads(final int initialCapacity) {
        buffers = new byte[Math.max(1, initialCapacity)][];
        offsets = new int[buffers.length];
        lengths = new int[buffers.length];
    }

    /** Adds {@code length} bytes of {@code buffer} from {@code offset}. */
    public void add(final byte[] buffer, final int offset, final int length) {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        if (size == buffers.length) {
            final int capacity = 2 * size;
            buffers = Arrays.copyOf(buffers, capacity);
            offsets = Arrays.copyOf(offsets, capacity);
            lengths = Arrays.copyOf(lengths, capacity);
        }
        buffers[size] = buffer;
        offsets[size] = offset;
        lengths[size] = length;
        size++;
    }

    public void add(final byte[] data) {
        add(data, 0, data.length);
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Forgets the slices (the arrays are the host's). */
    public void clear() {
        Arrays.fill(buffers, 0, size, null);
        size = 0;
    }

    long totalBytes() {
        long bytes = 0;
        for (int i = 0; i < size; i++) {
            bytes += lengths[i];
        }
        return bytes;
    }

    Entry entry(final long term, final long index, final int i) {
        return new Entry(term, index, EntryType.NORMAL, buffers[i], offsets[i], lengths[i]);
    }
}
