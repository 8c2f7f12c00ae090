package io.cairn.btree;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which snapshots live readers hold (LMDB's reader table, in memory). A slot holds the reader's
 * txid, or {@link #FREE}. The table is bounded: {@code maxReaders} concurrent read transactions.
 *
 * <p>Race with the writer: a reader publishes the txid it read, then re-reads the current txid and
 * retries if it moved. A writer frees pages of snapshot S only after publishing a newer meta, so a
 * reader that the writer's scan missed always sees the newer meta on its re-check and retries.
 */
final class ReaderTable {
    static final long FREE = Long.MAX_VALUE;
    private final AtomicLongArray slots;

    ReaderTable(int maxReaders) {
        slots = new AtomicLongArray(maxReaders);
        for (int i = 0; i < maxReaders; i++) {
            slots.set(i, FREE);
        }
    }

    /** Claims a slot holding {@code txid}; returns the slot index or -1 if the table is full. */
    int claim(long txid, int hint) {
        int n = slots.length();
        for (int k = 0; k < n; k++) {
            int i = (hint + k) % n;
            if (slots.get(i) == FREE && slots.compareAndSet(i, FREE, txid)) {
                return i;
            }
        }
        return -1;
    }

    void set(int slot, long txid) {
        slots.set(slot, txid);
    }

    void release(int slot) {
        slots.set(slot, FREE);
    }

    /** The oldest txid any live reader holds, or {@link #FREE} if there is none. */
    long oldest() {
        long oldest = FREE;
        for (int i = 0; i < slots.length(); i++) {
            oldest = Math.min(oldest, slots.get(i));
        }
        return oldest;
    }

    int active() {
        int n = 0;
        for (int i = 0; i < slots.length(); i++) {
            if (slots.get(i) != FREE) {
                n++;
            }
        }
        return n;
    }

    int capacity() {
        return slots.length();
    }
}
