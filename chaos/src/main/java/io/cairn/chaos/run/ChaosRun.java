package io.cairn.chaos.run;

import io.cairn.chaos.check.FinalState;
import io.cairn.chaos.cluster.LabCluster;
import io.cairn.chaos.fault.Fault;
import io.cairn.chaos.fault.FaultInjector;
import io.cairn.chaos.fault.FaultKind;
import io.cairn.chaos.fault.FaultSchedule;
import io.cairn.chaos.net.LabSubnet;
import io.cairn.chaos.net.NetworkLab;
import io.cairn.chaos.workload.Workload;
import io.cairn.etcd.api.etcdserverpb.Member;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One fault-injection run: a network lab, the members in it, the workload on every member, the
 * seeded faults one after another (each undone before the next), then calm, the final state of
 * every member, and the checks over everything recorded. Prints as it goes what it injected and
 * when, so a violation can be read against the schedule.
 */
public final class ChaosRun {
    private static final int CLIENTS_PER_MEMBER = 2;
    /**
     * Enough keys that no key gathers too many writes of unknown outcome: the checker searches each
     * key apart, and at 6 keys a run with 289 such writes stayed undecided after 2 minutes.
     */
    private static final int KEYS = 16;
    private static final long WARM_UP_MILLIS = 1_000;
    private static final long SETTLE_TIMEOUT_MILLIS = 60_000;

    private final ChaosOptions options;
    private final PrintStream out;
    private final List<String> timeline = new ArrayList<>();
    private long startNanos;

    public ChaosRun(final ChaosOptions options, final PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public RunReport run() throws Exception {
        final List<FaultKind> kinds = options.faults().stream()
            .filter(kind -> !kind.storage() || options.server().storageFaults()).toList();
        if (kinds.size() < options.faults().size()) {
            out.printf("chaos: %s has no storage fault layer: no %s%n", options.server().name(),
                options.faults().stream().filter(kind -> !kinds.contains(kind)).toList());
        }
        final List<Fault> schedule = FaultSchedule.of(options.seed(), kinds, options.members(),
            options.faulting().toMillis());
        out.printf("chaos: %s, %d members, seed %d (replay: --seed %d), %d faults scheduled over %s%n",
            options.server().name(), options.members(), options.seed(), options.seed(), schedule.size(),
            options.faulting());
        try (NetworkLab lab = NetworkLab.create(labPrefix(options.subnet()), options.members(), options.subnet());
             LabCluster cluster = LabCluster.start(lab, options.server(), options.dir(), options.members(),
                 List.of())) {
            final Workload workload = Workload.start(cluster, CLIENTS_PER_MEMBER, KEYS, options.seed());
            final FaultInjector injector = new FaultInjector(cluster, lab, options.seed(),
                workload.records()::restarted, workload.records()::replaced);
            try {
                startNanos = System.nanoTime();
                Thread.sleep(WARM_UP_MILLIS);
                final long faultsStartNanos = System.nanoTime();
                for (final Fault fault : schedule) {
                    sleepUntil(faultsStartNanos + TimeUnit.MILLISECONDS.toNanos(fault.startMillis()), workload);
                    final FaultInjector.Active active = injector.inject(fault);
                    note("inject " + active.description());
                    sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(fault.holdMillis()), workload);
                    active.undo();
                    note("undo   " + active.undoneDescription());
                }
                final List<String> notBack = new ArrayList<>();
                for (int m = 1; m <= cluster.size(); m++) {
                    try {
                        cluster.awaitServing(m);
                    } catch (final IOException e) {
                        notBack.add(e.getMessage() + ", which ends: " + lastLine(cluster.logFile(m)));
                        note("m" + m + " did not come back");
                    }
                }
                Thread.sleep(WARM_UP_MILLIS);
                workload.stopClients();
                note("clients stopped");
                // A member that cannot start again is a finding in itself (a WAL that refuses to
                // recover, say); with it missing the others cannot settle, so the checks run on
                // what was recorded.
                final List<FinalState> finals = notBack.isEmpty() ? settle(cluster, workload) : List.of();
                final List<Member> membership = finalMembership(cluster);
                final Map<FaultKind, Long> injected = new EnumMap<>(FaultKind.class);
                for (final FaultKind kind : FaultKind.values()) {
                    injected.put(kind, injector.injected(kind));
                }
                return RunChecks.run(options, workload, finals, membership, notBack, injected, timeline);
            } finally {
                workload.close();
            }
        }
    }

    /** Waits for the members to agree on one revision and for every watch to have delivered up to it. */
    private List<FinalState> settle(final LabCluster cluster, final Workload workload) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_TIMEOUT_MILLIS);
        while (true) {
            workload.resumeWatches();
            final List<FinalState> states = new ArrayList<>();
            IOException unreadable = null;
            for (int m = 1; m <= cluster.size(); m++) {
                try {
                    states.add(FinalStates.read(cluster, m, Workload.PREFIX));
                } catch (final IOException e) {
                    unreadable = e;
                }
            }
            final boolean agreed = unreadable == null
                && states.stream().mapToLong(FinalState::revision).distinct().count() == 1;
            if (agreed && RunChecks.watchesReached(workload.watchLogs(), states.get(0).revision())) {
                note("settled at revision " + states.get(0).revision());
                return states;
            }
            if (System.nanoTime() > deadline) {
                note("not settled after " + SETTLE_TIMEOUT_MILLIS + " ms"
                    + (unreadable != null ? ": " + unreadable.getMessage() : ""));
                return states;
            }
            Thread.sleep(200);
        }
    }

    /** The cluster's members as the first member that answers lists them (empty if none does). */
    private static List<Member> finalMembership(final LabCluster cluster) {
        for (int m = 1; m <= cluster.size(); m++) {
            try {
                return cluster.memberList(m);
            } catch (final StatusRuntimeException unanswered) {
                // the next one
            }
        }
        return List.of();
    }

    /**
     * The lab's names follow from its subnet: two runs at once need two subnets anyway, and they
     * then cannot take each other's namespaces for leftovers to remove (a prefix from the seed let
     * two hour-long runs with one seed do just that).
     */
    static String labPrefix(final LabSubnet subnet) {
        return "cx" + subnet.second() + "x" + subnet.third();
    }

    private static String lastLine(final Path log) {
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(line -> !line.isBlank()).reduce((first, second) -> second).orElse("(empty)");
        } catch (final IOException | UncheckedIOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private void sleepUntil(final long nanos, final Workload workload) throws InterruptedException {
        while (true) {
            final long left = nanos - System.nanoTime();
            if (left <= 0) {
                return;
            }
            workload.resumeWatches();
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
        }
    }

    private void note(final String what) {
        final String line = String.format("+%7.3f s  %s", (System.nanoTime() - startNanos) / 1e9, what);
        timeline.add(line);
        out.println(line);
    }
}
