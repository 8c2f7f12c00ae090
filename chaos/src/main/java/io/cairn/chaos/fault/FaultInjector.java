package io.cairn.chaos.fault;

import io.cairn.chaos.cluster.LabCluster;
import io.cairn.chaos.net.CommandFailedException;
import io.cairn.chaos.net.NetemSpec;
import io.cairn.chaos.net.NetworkLab;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Turns a scheduled {@link Fault} into signals and network rules on a running cluster, and undoes
 * it. The member a fault aims at is chosen when it starts (the leader of that moment, or the
 * scheduled one when there is no leader), so the log says which member it hit.
 */
public final class FaultInjector {
    /** A fault in place; {@link #undo} ends it. */
    public interface Active {
        String description();

        /** What the timeline says once undone: the description, or what the undo found. */
        default String undoneDescription() {
            return description();
        }

        void undo() throws Exception;
    }

    static final long SLOW_FDATASYNC_MIN_MILLIS = 100;
    static final long SLOW_FDATASYNC_MAX_MILLIS = 800;
    static final NetemSpec LOSSY = new NetemSpec(20.0, 50, 20, 10.0);
    /** What tc says when the kernel was built without netem. */
    private static final String NO_NETEM = "Specified qdisc kind is unknown";

    private final LabCluster cluster;
    private final NetworkLab lab;
    private final SplittableRandom random;
    private final IntConsumer restarted;
    private final MemberReplacement replacement;
    private final AtomicLongArray injected = new AtomicLongArray(FaultKind.values().length);

    /**
     * @param restarted told of each killed member once it is started again
     * @param replaced  told of each member replaced ({@link FaultKind#MEMBER_REPLACE}) once it is stopped
     *                  for good: its data will be wiped, and every later read reaches the new member
     */
    public FaultInjector(final LabCluster cluster, final NetworkLab lab, final long seed,
                         final IntConsumer restarted, final IntConsumer replaced) {
        this.cluster = cluster;
        this.lab = lab;
        this.random = new SplittableRandom(seed);
        this.restarted = restarted;
        this.replacement = new MemberReplacement(cluster, replaced, restarted);
    }

    /** Without {@link FaultKind#MEMBER_REPLACE}'s listener (a replaced member then counts as restarted). */
    public FaultInjector(final LabCluster cluster, final NetworkLab lab, final long seed,
                         final IntConsumer restarted) {
        this(cluster, lab, seed, restarted, restarted);
    }

    public Active inject(final Fault fault) throws Exception {
        final int leader = cluster.leader();
        final int target = fault.onLeader() && leader != 0 ? leader : fault.member();
        injected.incrementAndGet(fault.kind().ordinal());
        return switch (fault.kind()) {
            case KILL -> {
                cluster.kill(target);
                yield active("SIGKILL m" + target + role(target, leader), () -> {
                    cluster.restart(target);
                    restarted.accept(target);
                });
            }
            case PAUSE -> {
                cluster.pause(target);
                yield active("SIGSTOP m" + target + role(target, leader), () -> cluster.resume(target));
            }
            case PARTITION_LEADER -> {
                final int isolated = leader != 0 ? leader : target;
                lab.isolate(isolated);
                yield active("m" + isolated + role(isolated, leader) + " isolated", lab::heal);
            }
            case PARTITION_MINORITY -> {
                final List<Set<Integer>> groups = minorityAndMajority(target);
                lab.partition(groups);
                yield active("partition " + groups, lab::heal);
            }
            case ONE_WAY -> {
                final int from = leader != 0 ? leader : target;
                final int to = other(from);
                lab.oneWay(from, to);
                yield active("packets m" + from + " -> m" + to + " dropped", lab::heal);
            }
            case SLOW_DISK -> {
                final long delayMillis = random.nextLong(SLOW_FDATASYNC_MIN_MILLIS, SLOW_FDATASYNC_MAX_MILLIS + 1);
                cluster.slowFdatasync(target, delayMillis);
                yield active("fdatasync +" + delayMillis + " ms on m" + target + role(target, leader),
                    () -> cluster.healthyDisk(target));
            }
            case POWER_CUT -> powerCut(List.of(target), "m" + target + role(target, leader));
            case POWER_CUT_ALL -> powerCut(IntStream.rangeClosed(1, cluster.size()).boxed().toList(), "every member");
            case MEMBER_REPLACE -> replacement.replace(fault.member());
            case NETEM -> {
                try {
                    lab.netem(target, LOSSY);
                    yield active(LOSSY.describe() + " on m" + target + role(target, leader),
                        () -> lab.clearNetem(target));
                } catch (final CommandFailedException e) {
                    if (!e.stderr().contains(NO_NETEM)) {
                        throw e;
                    }
                    // This kernel has no netem (CI's among them): the loss part, with nftables.
                    lab.randomLoss(target, (int) LOSSY.lossPercent());
                    yield active((int) LOSSY.lossPercent() + "% loss (nftables: no netem here) on m" + target
                        + role(target, leader), lab::heal);
                }
            }
        };
    }

    private Active powerCut(final List<Integer> cut, final String whom) throws Exception {
        final long seed = random.nextLong();
        final List<Integer> killed = cluster.powerCut(cut, seed);
        return active("power cut of " + whom + " (revert seed " + seed + " + member"
            + (killed.isEmpty() ? "" : "; did not exit in time, killed: " + killed) + ")", () -> {
                for (final int member : cut) {
                    cluster.restart(member);
                    restarted.accept(member);
                }
            });
    }

    /** Faults injected so far, by kind. */
    public long injected(final FaultKind kind) {
        return injected.get(kind.ordinal());
    }

    private List<Set<Integer>> minorityAndMajority(final int member) {
        final int minoritySize = Math.max(1, (cluster.size() - 1) / 2);
        final Set<Integer> minority = new HashSet<>(Set.of(member));
        while (minority.size() < minoritySize) {
            minority.add(1 + random.nextInt(cluster.size()));
        }
        final Set<Integer> majority = new HashSet<>();
        for (int m = 1; m <= cluster.size(); m++) {
            if (!minority.contains(m)) {
                majority.add(m);
            }
        }
        return new ArrayList<>(List.of(minority, majority));
    }

    private int other(final int member) {
        final int offset = 1 + random.nextInt(cluster.size() - 1);
        return 1 + (member - 1 + offset) % cluster.size();
    }

    private static String role(final int member, final int leader) {
        return member == leader ? " (leader)" : "";
    }

    private static Active active(final String description, final Undo undo) {
        return new Active() {
            @Override
            public String description() {
                return description;
            }

            @Override
            public void undo() throws Exception {
                undo.run();
            }
        };
    }

    @FunctionalInterface
    private interface Undo {
        void run() throws Exception;
    }
}
