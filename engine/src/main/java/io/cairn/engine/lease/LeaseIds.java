package io.cairn.engine.lease;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Ids for leases granted with id 0, chosen by the proposer (etcd's scheme): the member id's low
 * 16 bits, then the start time in milliseconds (40 bits), then a counter, so ids from different
 * members and runs do not collide; always positive.
 */
public final class LeaseIds {
    private final AtomicLong next;

    public LeaseIds(final long memberId, final long startMillis) {
        this.next = new AtomicLong(((memberId & 0xFFFF) << 48) | ((startMillis & 0xFF_FFFF_FFFFL) << 8));
    }

    public long next() {
        long id;
        do {
            id = next.incrementAndGet() & Long.MAX_VALUE;
        } while (id == 0);
        return id;
    }
}
