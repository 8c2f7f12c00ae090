package io.cairn.engine.cluster;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Request ids as etcd's idutil makes them: the member id's low 16 bits, then 40 bits of the start
 * time in milliseconds, then an 8-bit counter that carries into the time bits. Ids from different
 * members differ in the top bits, and a restart begins at a later time, so an id never names two
 * proposals: a proposal that travels to another member, or is replayed after a restart, cannot
 * complete a call that waits for another one. Lease ids chosen by the member come from the same
 * generator with the sign bit cleared, as in etcd.
 */
public final class RequestIds {
    private static final int COUNTER_BITS = 8;
    private static final int TIME_BITS = 40;
    private static final int SUFFIX_BITS = TIME_BITS + COUNTER_BITS;
    private static final long SUFFIX_MASK = (1L << SUFFIX_BITS) - 1;
    private static final long TIME_MASK = (1L << TIME_BITS) - 1;

    private final long prefix;
    private final AtomicLong suffix;

    public RequestIds(final long memberId, final long startMillis) {
        this.prefix = (memberId & 0xFFFF) << SUFFIX_BITS;
        this.suffix = new AtomicLong((startMillis & TIME_MASK) << COUNTER_BITS);
    }

    /** The next id; never 0 (0 means "nobody waits" in the log). */
    public long next() {
        long id;
        do {
            id = prefix | (suffix.incrementAndGet() & SUFFIX_MASK);
        } while (id == 0);
        return id;
    }

    /** The next id as a lease id: etcd clears the sign bit so lease ids print as positive numbers. */
    public long nextLeaseId() {
        long id;
        do {
            id = next() & Long.MAX_VALUE;
        } while (id == 0);
        return id;
    }

    /** The largest id this member's generator can give: it bounds how many bytes an id takes on the wire. */
    public static long largestFor(final long memberId) {
        return ((memberId & 0xFFFF) << SUFFIX_BITS) | SUFFIX_MASK;
    }
}
