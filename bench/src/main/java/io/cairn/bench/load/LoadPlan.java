package io.cairn.bench.load;

/**
 * How much load, and how: {@code clients} requests in flight at most, {@code total} timed
 * requests after {@code warmup} untimed ones. With {@code ratePerSecond} > 0 the load is open
 * loop: request i is due at start + i / rate and its latency counts from that due time, so time
 * spent waiting behind a slow server is measured (no coordinated omission).
 */
public record LoadPlan(int clients, long total, long warmup, double ratePerSecond) {
    public LoadPlan {
        if (clients < 1 || total < 1 || warmup < 0 || ratePerSecond < 0) {
            throw new IllegalArgumentException("clients and total must be positive, warmup and rate not negative");
        }
    }
}
