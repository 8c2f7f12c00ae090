package io.cairn.bench;

import io.cairn.bench.disk.DiskCheck;
import io.cairn.bench.load.Connections;
import io.cairn.bench.load.EndpointGroup;
import io.cairn.bench.load.IdleRangeRun;
import io.cairn.bench.load.KeyChooser;
import io.cairn.bench.load.LeaseKeepAliveRun;
import io.cairn.bench.load.LoadPlan;
import io.cairn.bench.load.LoadResult;
import io.cairn.bench.load.LoadRunner;
import io.cairn.bench.load.ProcessCpu;
import io.cairn.bench.load.PutWorkload;
import io.cairn.bench.load.RangeWorkload;
import io.cairn.bench.load.TxnPutWorkload;
import io.cairn.bench.load.WatchLatencyRun;
import io.cairn.bench.load.Workload;
import io.cairn.bench.perf.PerfCheck;
import io.cairn.bench.perf.PerfProfile;
import io.cairn.bench.report.HistogramFiles;
import io.cairn.bench.report.PercentilePlot;
import io.cairn.bench.report.SideBySideTable;
import io.cairn.bench.report.SummaryPrinter;
import io.cairn.bench.wal.WalBench;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bin/cairn-bench}: a load generator speaking etcd's v3 API to any endpoint (Cairn or etcd),
 * with the workloads and flag names of etcd's own benchmark tool, plus disk and cluster checks and
 * the JMH suites.
 */
@Command(name = "cairn-bench", mixinStandardHelpOptions = true, version = "cairn-bench 0.1",
    description = "Load generator and checks for etcd-API endpoints (Cairn or etcd).",
    subcommands = {CairnBench.Put.class, CairnBench.Range.class, CairnBench.TxnPut.class, CairnBench.IdleRange.class, CairnBench.Watch.class,
        CairnBench.LeaseKeepAlive.class, CairnBench.Check.class, CairnBench.WalLog.class, CairnBench.Jmh.class})
public final class CairnBench {
    static final int EXIT_USAGE = 2;

    private CairnBench() {
    }

    public static void main(final String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new CairnBench())
            .setExecutionExceptionHandler((e, cmd, parsed) -> {
                cmd.getErr().println("cairn-bench: " + (e.getMessage() == null ? e : e.getMessage()));
                return e instanceof IllegalArgumentException ? EXIT_USAGE : 1;
            });
    }

    /** Flags every load command shares (etcd benchmark's names). */
    static final class LoadFlags {
        @Option(names = "--endpoints", split = ",", defaultValue = "http://127.0.0.1:2379",
            description = "Endpoints, comma separated; two or more run side by side (default: ${DEFAULT-VALUE}). "
                + "An entry may be a cluster: its members' URLs joined by '+'.")
        List<String> endpoints;

        @Option(names = "--conns", defaultValue = "1",
            description = "gRPC connections per endpoint; for a cluster, in total, spread round-robin over its members.")
        int conns;

        @Option(names = "--clients", defaultValue = "1", description = "Requests in flight at most.")
        int clients;

        @Option(names = "--total", defaultValue = "10000", description = "Timed requests per endpoint.")
        long total;

        @Option(names = "--rate", defaultValue = "0",
            description = "Requests per second, open loop (latency counted from each request's due time); 0: as fast as answered.")
        double rate;

        @Option(names = "--warmup", defaultValue = "-1",
            description = "Untimed requests first (default: a tenth of --total, at most 1000).")
        long warmup;

        @Option(names = "--rounds", defaultValue = "3",
            description = "Side by side: endpoints take turns this many times, each with total/rounds requests.")
        int rounds;

        @Option(names = "--new-connections-each-round",
            description = "Side by side: open each endpoint's connections again for every round instead of once "
                + "for all its rounds.")
        boolean newConnectionsEachRound;

        @Option(names = "--out", description = "Directory for each endpoint's HdrHistogram log (.hlog) and CSV.")
        Path out;

        @Option(names = "--report", description = "HTML file with the latency-by-percentile plot of each endpoint.")
        Path report;

        @Option(names = "--server-pids", split = ",",
            description = "Process ids of local servers, in --endpoints order: also report their CPU per request. "
                + "For a cluster, its members' pids joined by '+' (their CPU is summed).")
        List<String> serverPids = List.of();

        private List<EndpointGroup> groups;

        /** The --endpoints entries, each a lone server or a cluster. */
        List<EndpointGroup> groups() {
            if (groups == null) {
                groups = endpoints.stream().map(EndpointGroup::parse).toList();
            }
            return groups;
        }

        /** Turns per endpoint: --rounds when several endpoints run side by side, else one. */
        int sideBySideRounds() {
            return endpoints.size() > 1 ? Math.max(1, rounds) : 1;
        }

        long warmupRequests() {
            return warmup >= 0 ? warmup : Math.min(1000, total / 10);
        }

        ProcessCpu serverCpu(final int endpoint) {
            if (serverPids.isEmpty()) {
                return ProcessCpu.UNKNOWN;
            }
            if (serverPids.size() != endpoints.size()) {
                throw new IllegalArgumentException("--server-pids needs one pid per endpoint (" + endpoints.size() + ")");
            }
            return ProcessCpu.ofPids(serverPids.get(endpoint));
        }
    }

    /** Flags of the key-value workloads (etcd benchmark's names). */
    static final class KeyFlags {
        @Option(names = "--key-size", defaultValue = "8", description = "Key size in bytes.")
        int keySize;

        @Option(names = "--val-size", defaultValue = "8", description = "Value size in bytes.")
        int valSize;

        @Option(names = "--key-space-size", defaultValue = "1", description = "Distinct keys to write.")
        long keySpaceSize;

        @Option(names = "--sequential-keys", description = "Write keys in order instead of at random.")
        boolean sequentialKeys;

        @Option(names = "--scattered-keys", description = "Spell each key as a hash in hex, sharing no prefix with "
            + "its neighbours, instead of its zero-padded number (not in etcd's benchmark).")
        boolean scatteredKeys;

        KeyChooser keys() {
            return new KeyChooser(keySize, keySpaceSize, sequentialKeys, scatteredKeys, 42);
        }
    }

    /** Runs a workload on every endpoint (taking turns when several), prints and writes what it saw. */
    static int runLoad(final String workloadName, final LoadFlags flags, final Workload workload) throws Exception {
        final int rounds = flags.sideBySideRounds();
        final long perRound = Math.max(1, flags.total / rounds);
        return runRounds(workloadName, flags, rounds, Connections::open, (round, e, connections) ->
            LoadRunner.run(flags.groups().get(e).label(), connections.channels(), workload,
                new LoadPlan(flags.clients, perRound, round == 0 ? flags.warmupRequests() : 0, flags.rate),
                flags.serverCpu(e)));
    }

    /** One turn of one endpoint: which round, the endpoint's index in --endpoints, its connections. */
    @FunctionalInterface
    interface RoundRun {
        LoadResult run(int round, int endpointIndex, Connections connections) throws Exception;
    }

    /** A run that is not a stream of independent requests (watch, keep-alive), on one endpoint (its label). */
    @FunctionalInterface
    interface EndpointRun {
        LoadResult run(String label, Connections connections) throws Exception;
    }

    /** Runs {@code run} on each endpoint in turn, then reports as {@link #runLoad} does. */
    static int runOnEach(final String workloadName, final LoadFlags flags, final EndpointRun run) throws Exception {
        return runRounds(workloadName, flags, 1, Connections::open,
            (round, e, connections) -> run.run(flags.groups().get(e).label(), connections));
    }

    /**
     * Runs {@code run} {@code rounds} times on each endpoint, taking turns (so both servers meet the
     * same background), on connections from {@code opener} (a cluster's spread over its members);
     * sums each endpoint's rounds and reports. An endpoint's connections open before its first turn
     * and serve all its turns, as a real client's do and as etcd's benchmark tool's do: opened again
     * for each turn ({@code --new-connections-each-round}), a JIT-compiled server spent part of each
     * later turn recompiling the code new connections run (engine/README.md, "Side by side on the
     * same connections").
     */
    static int runRounds(final String workloadName, final LoadFlags flags, final int rounds,
        final BiFunction<EndpointGroup, Integer, Connections> opener, final RoundRun run) throws Exception {
        final List<EndpointGroup> groups = flags.groups();
        for (final EndpointGroup group : groups) {
            if (group.isCluster()) {
                System.out.println(group.describe());
            }
        }
        final List<LoadResult> results = new ArrayList<>();
        final List<Connections> open = new ArrayList<>();
        try {
            for (int round = 0; round < rounds; round++) {
                for (int e = 0; e < groups.size(); e++) {
                    if (open.size() == e) {
                        open.add(opener.apply(groups.get(e), flags.conns));
                    } else if (flags.newConnectionsEachRound) {
                        open.get(e).close();
                        open.set(e, opener.apply(groups.get(e), flags.conns));
                    }
                    final LoadResult result = run.run(round, e, open.get(e));
                    if (round == 0) {
                        results.add(result);
                    } else {
                        results.set(e, results.get(e).plus(result));
                    }
                }
            }
        } finally {
            for (final Connections connections : open) {
                connections.close();
            }
        }
        return report(workloadName, flags, results);
    }

    static int report(final String workloadName, final LoadFlags flags, final List<LoadResult> results)
        throws Exception {
        for (final LoadResult result : results) {
            SummaryPrinter.print(workloadName, result, System.out);
            if (flags.out != null) {
                HistogramFiles.write(flags.out, workloadName, result);
            }
        }
        if (results.size() > 1) {
            System.out.println();
            SideBySideTable.print(results, System.out);
        }
        if (flags.report != null) {
            Files.writeString(flags.report, PercentilePlot.html("cairn-bench " + workloadName, results),
                StandardCharsets.UTF_8);
            System.out.println("report: " + flags.report);
        }
        return results.stream().allMatch(r -> r.errorsByCode().isEmpty()) ? 0 : 1;
    }

    @Command(name = "put", mixinStandardHelpOptions = true, description = "Put keys (etcd benchmark put).")
    static final class Put implements Callable<Integer> {
        @Mixin
        LoadFlags load = new LoadFlags();
        @Mixin
        KeyFlags keys = new KeyFlags();

        @Override
        public Integer call() throws Exception {
            return runLoad("put", load, new PutWorkload(keys.keys(), keys.valSize));
        }
    }

    @Command(name = "range", mixinStandardHelpOptions = true, description = "Range over [key, end) (etcd benchmark range).")
    static final class Range implements Callable<Integer> {
        @Mixin
        LoadFlags load = new LoadFlags();

        @Parameters(index = "0", description = "Key (or start of the range).")
        String key;

        @Parameters(index = "1", arity = "0..1", defaultValue = "", description = "End of the range (exclusive).")
        String end;

        @Option(names = "--consistency", defaultValue = "l", description = "l (linearizable) or s (serializable).")
        String consistency;

        @Override
        public Integer call() throws Exception {
            return runLoad("range", load, new RangeWorkload(key, end, consistency));
        }
    }

    @Command(name = "idle-range", mixinStandardHelpOptions = true,
        description = "Round trip of a lone serializable Range to an idle server, sent from the client's event loop.")
    static final class IdleRange implements Callable<Integer> {
        @Mixin
        LoadFlags load = new LoadFlags();

        @Parameters(index = "0", description = "Key.")
        String key;

        @Option(names = "--pause-us", defaultValue = "3333",
            description = "Pause after each answer before the next request, in microseconds.")
        long pauseMicros;

        @Override
        public Integer call() throws Exception {
            final int rounds = load.sideBySideRounds();
            final byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
            return runRounds("idle-range", load, rounds, Connections::openOnOwnEventLoops, (round, e, connections) ->
                IdleRangeRun.run(load.groups().get(e).label(), connections, keyBytes, TimeUnit.MICROSECONDS.toNanos(pauseMicros),
                    round == 0 ? load.warmupRequests() : 0, Math.max(1, load.total / rounds)));
        }
    }

    @Command(name = "txn-put", mixinStandardHelpOptions = true, description = "Txns of puts (etcd benchmark txn-put).")
    static final class TxnPut implements Callable<Integer> {
        @Mixin
        LoadFlags load = new LoadFlags();
        @Mixin
        KeyFlags keys = new KeyFlags();

        @Option(names = "--txn-ops", defaultValue = "1", description = "Puts per Txn.")
        int txnOps;

        @Override
        public Integer call() throws Exception {
            return runLoad("txn-put", load, new TxnPutWorkload(keys.keys(), keys.valSize, txnOps));
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true,
        description = "Put-to-event latency with many watchers on one key (etcd benchmark watch-latency).")
    static final class Watch implements Callable<Integer> {
        @Mixin
        LoadFlags load = new LoadFlags();

        @Option(names = "--streams", defaultValue = "10", description = "Watch streams.")
        int streams;

        @Option(names = "--watchers-per-stream", defaultValue = "10", description = "Watchers per stream.")
        int watchersPerStream;

        @Option(names = "--put-total", defaultValue = "1000", description = "Puts to the watched key.")
        long putTotal;

        @Option(names = "--put-rate", defaultValue = "100", description = "Puts per second.")
        double putRate;

        @Option(names = "--val-size", defaultValue = "8", description = "Value size in bytes (at least 8).")
        int valSize;

        /** --warmup if given, else a tenth of the puts, at most 1,000 (as for the other workloads). */
        long warmupPuts() {
            return load.warmup >= 0 ? load.warmup : Math.min(1000, putTotal / 10);
        }

        @Option(names = "--distinct-keys", description = "Each watcher on a key of its own; puts round-robin over them.")
        boolean distinctKeys;

        @Option(names = "--hold-seconds", defaultValue = "0",
            description = "Keep the watchers open this long after the run (to measure the server's heap).")
        long holdSeconds;

        @Override
        public Integer call() throws Exception {
            // Side by side, the puts are split over --rounds turns per endpoint.
            final int rounds = load.sideBySideRounds();
            // On a cluster the --conns connections go to the watchers' member; the puts have their own.
            return runRounds("watch", load, rounds,
                (group, conns) -> Connections.openOnOwnEventLoops(watchMember(group), conns),
                (round, e, watchConnections) -> {
                    final EndpointGroup group = load.groups().get(e);
                    if (round == 0 && group.isCluster()) {
                        System.out.println(group.label() + ": puts to " + group.members().get(0) + ", watchers on "
                            + group.members().get(1) + " (every event crosses replication)");
                    }
                    try (Connections putConnections = group.isCluster()
                        ? Connections.openOnOwnEventLoops(group.members().get(0), 1) : null) {
                        return WatchLatencyRun.run(group.label(),
                            putConnections != null ? putConnections : watchConnections, watchConnections, streams,
                            watchersPerStream, round == 0 ? warmupPuts() : 0, Math.max(1, putTotal / rounds), putRate,
                            valSize, distinctKeys, holdSeconds);
                    }
                });
        }

        /** Where the watchers go: a lone server, or a cluster's second member (its first takes the puts). */
        private static EndpointGroup watchMember(final EndpointGroup group) {
            return group.isCluster() ? EndpointGroup.parse(group.members().get(1)) : group;
        }
    }

    @Command(name = "lease-keepalive", mixinStandardHelpOptions = true,
        description = "Lease keep-alive round trips (etcd benchmark lease-keepalive).")
    static final class LeaseKeepAlive implements Callable<Integer> {
        @Mixin
        LoadFlags load = new LoadFlags();

        @Override
        public Integer call() throws Exception {
            return runOnEach("lease-keepalive", load, (endpoint, connections) ->
                LeaseKeepAliveRun.run(endpoint, connections.channels(), load.clients, load.total));
        }
    }

    @Command(name = "wal", mixinStandardHelpOptions = true,
        description = "Cairn's WAL next to fio's etcd-wal job on the same directory: one appender, then many.")
    static final class WalLog implements Callable<Integer> {
        @Option(names = "--dir", required = true, description = "Directory on the disk to test.")
        Path dir;

        @Option(names = "--records", defaultValue = "10000", description = "Records the single appender writes.")
        int records;

        @Option(names = "--appenders", defaultValue = "64", description = "Concurrent appenders of the group run.")
        int appenders;

        @Option(names = "--platform-threads", description = "Appenders on platform threads (default: virtual threads).")
        boolean platformThreads;

        @Option(names = "--fio", defaultValue = "fio", description = "fio binary.")
        String fio;

        @Override
        public Integer call() throws Exception {
            final Path job = Path.of(System.getProperty("cairn.home", ".")).resolve("fio-profiles/etcd-wal.fio");
            return WalBench.run(dir, job, fio, records, appenders, platformThreads, System.out);
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true, description = "Disk and cluster checks.",
        subcommands = {Check.Disk.class, Check.Perf.class})
    static final class Check {
        @Command(name = "disk", mixinStandardHelpOptions = true,
            description = "Run the fio profiles in DIR and judge the disk by etcd's hardware guidance.")
        static final class Disk implements Callable<Integer> {
            @Option(names = "--dir", required = true, description = "Directory on the disk to test.")
            Path dir;

            @Option(names = "--profiles", description = "fio job files (default: fio-profiles of this checkout).")
            Path profiles;

            @Option(names = "--fio", defaultValue = "fio", description = "fio binary.")
            String fio;

            @Override
            public Integer call() throws Exception {
                final Path jobs = profiles != null ? profiles
                    : Path.of(System.getProperty("cairn.home", ".")).resolve("fio-profiles");
                return DiskCheck.run(dir, jobs, fio, System.out);
            }
        }

        @Command(name = "perf", mixinStandardHelpOptions = true,
            description = "etcdctl check perf: sustain a load profile's write rate and pass or fail.")
        static final class Perf implements Callable<Integer> {
            @Option(names = "--endpoints", defaultValue = "http://127.0.0.1:2379", description = "Endpoint.")
            String endpoint;

            @Option(names = "--load", defaultValue = "s", description = "s, m, l or xl.")
            String load;

            @Option(names = "--duration", defaultValue = "60", description = "Seconds (etcdctl: 60).")
            int duration;

            @Override
            public Integer call() throws Exception {
                final PerfProfile profile = PerfProfile.named(load);
                try (Connections connections = Connections.open(endpoint, Math.max(1, profile.clients() / 50))) {
                    return PerfCheck.run(endpoint, connections.channels(), profile, duration, System.out);
                }
            }
        }
    }

    @Command(name = "jmh", mixinStandardHelpOptions = true,
        description = "Run one JMH suite (btree, wal, raft, transport...) and print JMH's table.")
    static final class Jmh implements Callable<Integer> {
        @Parameters(index = "0", description = "Suite: the package io.cairn.bench.SUITE.")
        String suite;

        @Parameters(index = "1..*", description = "More JMH arguments (e.g. -f 1 -wi 3 -i 5 -prof gc).")
        List<String> jmhArguments = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            org.openjdk.jmh.Main.main(JmhSuites.arguments(suite, jmhArguments));
            return 0;
        }
    }
}
