package io.cairn.bench.disk;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * etcd's hardware guidance applied to the WAL-pattern job (sequential 2300-byte writes, each
 * followed by fdatasync): at least 50 sequential write IOPS (500 for heavily loaded clusters) and
 * fdatasync p99 under 10 ms.
 */
public record DiskVerdict(boolean passes, boolean heavyLoadReady, List<String> lines) {
    static final double IOPS_MIN = 50;
    static final double IOPS_HEAVY_LOAD = 500;
    static final long FDATASYNC_P99_MAX_NANOS = 10_000_000;

    public static DiskVerdict of(final FioResult wal) {
        final List<String> lines = new ArrayList<>();
        final boolean iopsOk = wal.writeIops() >= IOPS_MIN;
        final boolean heavy = wal.writeIops() >= IOPS_HEAVY_LOAD;
        lines.add(String.format(Locale.ROOT, "%s: sequential write IOPS %.0f (need %.0f; %.0f for heavily loaded "
            + "clusters)", iopsOk ? (heavy ? "PASS" : "PASS (not for heavy load)") : "FAIL", wal.writeIops(), IOPS_MIN,
            IOPS_HEAVY_LOAD));
        final boolean syncOk = wal.syncP99Nanos() != FioResult.ABSENT && wal.syncP99Nanos() < FDATASYNC_P99_MAX_NANOS;
        lines.add(wal.syncP99Nanos() == FioResult.ABSENT
            ? "FAIL: fio reported no fdatasync latencies (job must run with fdatasync=1)"
            : String.format(Locale.ROOT, "%s: fdatasync p99 %.3f ms (need under %.0f ms; p50 %.3f ms, p99.9 %.3f ms)",
                syncOk ? "PASS" : "FAIL", wal.syncP99Nanos() / 1e6, FDATASYNC_P99_MAX_NANOS / 1e6,
                wal.syncP50Nanos() / 1e6, wal.syncP999Nanos() / 1e6));
        return new DiskVerdict(iopsOk && syncOk, iopsOk && syncOk && heavy, lines);
    }
}
