package io.cairn.bench.perf;

import java.util.Locale;

/** etcdctl check perf's load profiles: writes per second to sustain, and clients to send them. */
public enum PerfProfile {
    S(150, 50), M(1_000, 200), L(8_000, 500), XL(15_000, 1_000);

    private final int writesPerSecond;
    private final int clients;

    PerfProfile(final int writesPerSecond, final int clients) {
        this.writesPerSecond = writesPerSecond;
        this.clients = clients;
    }

    public int writesPerSecond() {
        return writesPerSecond;
    }

    public int clients() {
        return clients;
    }

    /** Accepts etcdctl's names: s/small, m/medium, l/large, xl/xLarge. */
    public static PerfProfile named(final String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "s", "small" -> S;
            case "m", "medium" -> M;
            case "l", "large" -> L;
            case "xl", "xlarge" -> XL;
            default -> throw new IllegalArgumentException("unknown load option " + name + " (s, m, l, xl)");
        };
    }
}
