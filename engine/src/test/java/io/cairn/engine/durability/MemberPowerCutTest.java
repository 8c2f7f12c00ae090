package io.cairn.engine.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.node.MemberOptions;
import io.cairn.posix.FaultyPosix;
import io.cairn.posix.NativePosix;
import io.cairn.posix.PowerCutTrials;
import io.cairn.posix.RevertReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole member (gRPC, Raft, WAL, B+tree, apply, lease, watch) in this JVM, its files behind
 * {@link FaultyPosix}, under the durability workload (concurrent overwrites, deletes, CAS Txns,
 * leases with keys and revokes, refused writes, a compaction; small WAL segments and
 * --snapshot-count, so segments are released during the run). The power is cut at a random
 * mutating call; the unsynced writes and directory entries are kept, dropped or torn by the seed;
 * the member reopens on what is left, and {@link RecoveryCheck} requires every acknowledged write
 * with its exact value and revision, no revision missing or doubled, nothing refused anywhere, and
 * the tree passes its structural check. Each trial is {@link #LIVES_PER_TRIAL} lives on one data
 * directory, so recovery is itself cut. The restart catch-up margin is {@link #RESTART_CATCH_UP_ENTRIES}
 * instead of 5,000, so that a trial's few hundred writes reach what it governs: the WAL dropping the
 * segments the synced tree holds, and a restart keeping only the log after the tree's applied entry
 * and that margin.
 */
class MemberPowerCutTest {
    private static final int LIVES_PER_TRIAL = 3;
    private static final int WRITERS = 4;
    private static final int ACKS_BEFORE_CUT_MAX = 120;
    /** The cut lands within this many mutating calls after the acknowledgements were reached. */
    private static final int CUT_WITHIN_CALLS = 60;
    private static final long RESTART_CATCH_UP_ENTRIES = 16;

    /** Every cut makes the member log its failure with a stack trace, as it should; here that is noise. */
    private static final Logger ENGINE_LOG = Logger.getLogger("io.cairn");
    private static Level engineLogLevel;

    @TempDir
    Path dir;

    @BeforeAll
    static void quietTheExpectedFailures() {
        engineLogLevel = ENGINE_LOG.getLevel();
        ENGINE_LOG.setLevel(Level.OFF);
    }

    @AfterAll
    static void restoreTheLog() {
        ENGINE_LOG.setLevel(engineLogLevel);
    }

    /** Segments released, summed over trials (the first left's sequence number): shown, so a run proves release happened. */
    private final AtomicLong releasedSegments = new AtomicLong();

    @Test
    void acknowledgedWritesSurvivePowerCuts() {
        System.out.println(PowerCutTrials.runInDirectories("member", 70, dir, this::trial) + "; WAL segments released: "
            + releasedSegments); // 210 cuts
        assertTrue(releasedSegments.get() > 0, "no trial released a WAL segment");
    }

    @Test
    @Tag("slow")
    void tenThousandPowerCuts() {
        System.out.println(PowerCutTrials.runInDirectories("member slow", 3_334, dir, this::trial) + "; WAL segments released: "
            + releasedSegments);
    }

    private void trial(final long seed, final Path root) throws Exception {
        final Random random = new Random(seed);
        final Path data = root.resolve("data");
        final DurabilityWorkload workload = new DurabilityWorkload(WRITERS, random.nextLong());
        final List<RevertReport> reverts = new ArrayList<>();
        for (int life = 0; life < LIVES_PER_TRIAL; life++) {
            final FaultyPosix faulty = new FaultyPosix(NativePosix.INSTANCE, root.resolve("stash-" + life));
            try (InProcessServer member = InProcessServer.start(data, faulty, MemberPowerCutTest::smallMargin)) {
                check(member, workload, "life " + life + " after " + reverts);
                final DurabilityWorkload.Running running =
                    workload.start(member.channel, 1 + random.nextInt(ACKS_BEFORE_CUT_MAX));
                running.awaitAcknowledgements();
                faulty.cutPowerAfter(faulty.mutatingCalls() + 1 + random.nextInt(CUT_WITHIN_CALLS));
                awaitCut(faulty);
                running.awaitStopped();
                assertEquals(List.of(), workload.failures, "life " + life + ": the workload saw wrong answers");
            }
            reverts.add(faulty.revertUnsynced(random.nextLong()));
        }
        try (InProcessServer member = InProcessServer.start(data, NativePosix.INSTANCE,
            MemberPowerCutTest::smallMargin)) {
            check(member, workload, "after the last cut, " + reverts);
        }
        releasedSegments.addAndGet(firstSegmentSequence(data));
    }

    private static MemberOptions smallMargin(final MemberOptions options) {
        return options.withRestartCatchUpEntries(RESTART_CATCH_UP_ENTRIES);
    }

    /** The sequence number of the oldest WAL segment left: how many were released before it. */
    private static long firstSegmentSequence(final Path data) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(data.resolve("member").resolve("wal"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".wal")).sorted().findFirst()
                .map(n -> Long.parseLong(n.substring(0, n.indexOf('-')), 16)).orElse(0L);
        }
    }

    private static void check(final InProcessServer member, final DurabilityWorkload workload, final String when)
        throws InterruptedException {
        assertEquals(List.of(), RecoveryCheck.check(member.channel, workload), when);
        member.store.checkBackend(); // throws if the tree is damaged
    }

    /** The cut lands on a call the workload makes; if the writers have all stopped, cut now. */
    private static void awaitCut(final FaultyPosix faulty) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!faulty.isPowerCut() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(1);
        }
        if (!faulty.isPowerCut()) {
            faulty.cutPower();
        }
        assertTrue(faulty.isPowerCut());
    }
}
