package io.cairn.bench.wal;

import io.cairn.bench.disk.DiskCheck;
import io.cairn.bench.disk.FioResult;
import io.cairn.wal.Entry;
import io.cairn.wal.SyncMode;
import io.cairn.wal.Wal;
import io.cairn.wal.WalOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * {@code cairn-bench wal --dir DIR}: the WAL against fio's etcd-wal job on the same directory in the
 * same run. One appender awaiting each 2300-byte record is the latency case (compared with fio's
 * fdatasync p50); many appenders sharing writes is the group-commit case (compared with one).
 */
public final class WalBench {
    static final int RECORD_BYTES = 2300;
    private static final long MAX_LATENCY_NANOS = 10_000_000_000L;

    private WalBench() {
    }

    /** One measured configuration. */
    record Run(SyncMode mode, int appenders, Histogram latencyNanos, long records, double seconds, long writes,
        boolean direct, Histogram writeNanos) {

        double recordsPerSecond() {
            return records / seconds;
        }

        double recordsPerWrite() {
            return records / (double) Math.max(1, writes);
        }

        Run merge(final Run other) {
            final Histogram latency = latencyNanos.copy();
            latency.add(other.latencyNanos());
            final Histogram write = writeNanos.copy();
            write.add(other.writeNanos());
            return new Run(mode, appenders, latency, records + other.records(), seconds + other.seconds(),
                writes + other.writes(), direct && other.direct(), write);
        }
    }

    public static int run(final Path dir, final Path fioJob, final String fio, final int records, final int appenders,
        final boolean platformThreads, final PrintStream out) throws Exception {
        Files.createDirectories(dir);
        // Virtual appenders measure the log: 64 platform threads waking on 2 cores measure the scheduler.
        final Thread.Builder appenderThreads = platformThreads ? Thread.ofPlatform() : Thread.ofVirtual();
        out.println("appenders are " + (platformThreads ? "platform" : "virtual") + " threads");
        final FioResult fioResult = FioResult.parse(DiskCheck.runFio(fio, dir, fioJob));
        out.printf(Locale.ROOT, "fio %s in %s: %.0f writes/s, fdatasync p50 %s p99 %s p99.9 %s%n",
            fioJob.getFileName(), dir, fioResult.writeIops(), ms(fioResult.syncP50Nanos()),
            ms(fioResult.syncP99Nanos()), ms(fioResult.syncP999Nanos()));
        final SyncMode defaultMode = WalOptions.defaults().syncMode();
        final SyncMode otherMode = defaultMode == SyncMode.O_DSYNC ? SyncMode.FDATASYNC : SyncMode.O_DSYNC;
        measure(dir, otherMode, 1, records / 2, appenderThreads); // discarded: the disk's first minute differs
        // Two rounds in alternating order, merged, so neither mode always gets the quieter slot.
        final List<Run> runs = new ArrayList<>();
        for (final SyncMode mode : List.of(defaultMode, otherMode)) {
            runs.add(measure(dir, mode, 1, records, appenderThreads));
            runs.add(measure(dir, mode, appenders, records * 4L, appenderThreads));
        }
        for (final SyncMode mode : List.of(otherMode, defaultMode)) {
            final int at = mode == defaultMode ? 0 : 2;
            runs.set(at, runs.get(at).merge(measure(dir, mode, 1, records, appenderThreads)));
            runs.set(at + 1, runs.get(at + 1).merge(measure(dir, mode, appenders, records * 4L, appenderThreads)));
        }
        out.printf(Locale.ROOT, "%-10s %9s %10s %10s %10s %12s %12s %14s%n", "sync", "appenders", "p50", "p99", "p99.9",
            "records/s", "records/write", "write+sync p50");
        for (final Run r : runs) {
            out.printf(Locale.ROOT, "%-10s %9d %10s %10s %10s %12.0f %12.1f %14s%s%n", r.mode(), r.appenders(),
                ms(r.latencyNanos().getValueAtPercentile(50)), ms(r.latencyNanos().getValueAtPercentile(99)),
                ms(r.latencyNanos().getValueAtPercentile(99.9)), r.recordsPerSecond(), r.recordsPerWrite(),
                ms(r.writeNanos().getValueAtPercentile(50)), r.direct() ? "" : " (buffered: O_DIRECT refused)");
        }
        final Run single = runs.getFirst();
        final Run group = runs.get(1);
        final double latencyRatio = single.latencyNanos().getValueAtPercentile(50) / (double) fioResult.syncP50Nanos();
        final double groupRatio = group.recordsPerSecond() / single.recordsPerSecond();
        out.printf(Locale.ROOT, "default mode (%s): 1-appender p50 / fio fdatasync p50 = %.2fx (target <= 1.15x)%n",
            single.mode(), latencyRatio);
        out.printf(Locale.ROOT, "default mode (%s): %d appenders / 1 appender records/s = %.1fx (target >= 10x)%n",
            group.mode(), group.appenders(), groupRatio);
        return 0;
    }

    private static Run measure(final Path parent, final SyncMode mode, final int appenders, final long records,
        final Thread.Builder appenderThreads) throws Exception {
        final Path dir = parent.resolve("wal-bench-" + mode + "-" + appenders);
        deleteTree(dir);
        final WalOptions options = WalOptions.defaults().withSyncMode(mode);
        try (Wal wal = Wal.open(dir, options)) {
            final IndexSource indexes = new IndexSource();
            final byte[] payload = new byte[RECORD_BYTES - 25]; // record header 9 + term/index 16: 2300 on disk
            appendMany(wal, indexes, payload, Math.min(records / 10, 2000), 1, appenderThreads, null); // warm-up
            final long writesBefore = wal.metrics().writes();
            final Histogram latency = new Histogram(MAX_LATENCY_NANOS, 3);
            final long start = System.nanoTime();
            appendMany(wal, indexes, payload, records, appenders, appenderThreads, latency);
            final double seconds = (System.nanoTime() - start) / 1e9;
            final long writes = wal.metrics().writes() - writesBefore;
            final boolean direct = wal.writesDirect();
            return new Run(mode, appenders, latency, records, seconds, writes, direct, wal.metrics().syncLatencyNanos());
        } finally {
            deleteTree(dir);
        }
    }

    /** Each appender appends one record and awaits it, until {@code records} were appended in all. */
    private static void appendMany(final Wal wal, final IndexSource indexes, final byte[] payload, final long records,
        final int appenders, final Thread.Builder appenderThreads, final Histogram latency) throws InterruptedException {
        final long last = indexes.peek() + records - 1;
        final List<Thread> threads = new ArrayList<>(appenders);
        final List<Histogram> perThread = new ArrayList<>(appenders);
        for (int t = 0; t < appenders; t++) {
            final Histogram mine = new Histogram(MAX_LATENCY_NANOS, 3);
            perThread.add(mine);
            threads.add(appenderThreads.start(() -> {
                while (true) {
                    final long begin = System.nanoTime();
                    final CompletableFuture<Void> durable = indexes.appendNext(wal, payload, last);
                    if (durable == null) {
                        return;
                    }
                    durable.join();
                    mine.recordValue(Math.min(System.nanoTime() - begin, MAX_LATENCY_NANOS));
                }
            }));
        }
        for (final Thread t : threads) {
            t.join();
        }
        if (latency != null) {
            perThread.forEach(latency::add);
        }
    }

    /** Hands out consecutive log indexes and appends under one lock, as a Raft host would. */
    private static final class IndexSource {
        private long next = 1;

        synchronized long peek() {
            return next;
        }

        synchronized CompletableFuture<Void> appendNext(final Wal wal, final byte[] payload, final long last) {
            if (next > last) {
                return null;
            }
            return wal.append(List.of(new Entry(1, next++, payload)), null);
        }
    }

    private static String ms(final long nanos) {
        return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
    }

    private static void deleteTree(final Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (final IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
