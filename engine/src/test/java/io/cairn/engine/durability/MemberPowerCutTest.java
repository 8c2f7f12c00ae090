package io.cairn.engine.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.Main;
import io.cairn.engine.config.ServerCommandLine;
import io.cairn.engine.config.ServerConfig;
import io.cairn.engine.node.RaftKeyValueStore;
import io.cairn.engine.server.CairnServer;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.posix.FaultyPosix;
import io.cairn.posix.NativePosix;
import io.cairn.posix.Posix;
import io.cairn.posix.PowerCutTrials;
import io.cairn.posix.RevertReport;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
 * directory, so recovery is itself cut.
 */
class MemberPowerCutTest {
    private static final int LIVES_PER_TRIAL = 3;
    private static final int WRITERS = 4;
    private static final int ACKS_BEFORE_CUT_MAX = 120;
    /** The cut lands within this many mutating calls after the acknowledgements were reached. */
    private static final int CUT_WITHIN_CALLS = 60;

    @TempDir
    Path dir;

    @Test
    void acknowledgedWritesSurvivePowerCuts() {
        System.out.println(PowerCutTrials.run("member", 70, this::trial)); // 210 cuts
    }

    @Test
    @Tag("slow")
    void tenThousandPowerCuts() {
        System.out.println(PowerCutTrials.run("member slow", 3_334, this::trial));
    }

    private void trial(final long seed) throws Exception {
        final Random random = new Random(seed);
        final Path root = dir.resolve("trial-" + Long.toHexString(seed));
        final Path data = root.resolve("data");
        final DurabilityWorkload workload = new DurabilityWorkload(WRITERS, random.nextLong());
        final List<RevertReport> reverts = new ArrayList<>();
        try {
            for (int life = 0; life < LIVES_PER_TRIAL; life++) {
                final FaultyPosix faulty = new FaultyPosix(NativePosix.INSTANCE, root.resolve("stash-" + life));
                try (Member member = Member.start(data, faulty)) {
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
            try (Member member = Member.start(data, NativePosix.INSTANCE)) {
                check(member, workload, "after the last cut, " + reverts);
            }
        } finally {
            ServerProcess.deleteRecursively(root);
        }
    }

    private static void check(final Member member, final DurabilityWorkload workload, final String when)
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

    /** A member and its gRPC server in this JVM, its files through {@code posix}. */
    private static final class Member implements AutoCloseable {
        final RaftKeyValueStore store;
        final CairnServer server;
        final ManagedChannel channel;

        private Member(final RaftKeyValueStore store, final CairnServer server, final ManagedChannel channel) {
            this.store = store;
            this.server = server;
            this.channel = channel;
        }

        static Member start(final Path data, final Posix posix) throws Exception {
            final int port = ServerProcess.freePort();
            final String url = "http://127.0.0.1:" + port;
            final ServerConfig config = ((ServerCommandLine.Outcome.Run)ServerCommandLine.parse(List.of(
                "--data-dir", data.toString(), "--listen-client-urls", url, "--advertise-client-urls", url,
                "--snapshot-count", "20", "--max-request-bytes", "16384",
                "--cairn-test-wal-segment-bytes", Integer.toString(128 << 10)), Map.of(), "test", warning -> { }))
                .config();
            final RaftKeyValueStore store = RaftKeyValueStore.open(config.dataDir(), config.walDir(),
                Main.memberOptions(config), posix);
            final CairnServer server;
            try {
                server = CairnServer.start(config, store);
            } catch (final Exception e) {
                store.close();
                throw e;
            }
            return new Member(store, server,
                NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
        }

        /** Stops everything that uses the files (a member whose disk died may fail to close cleanly). */
        @Override
        public void close() {
            channel.shutdownNow();
            server.close();
            try {
                store.close();
            } catch (final Exception afterTheCut) {
                // The files are gone from under it; what matters is that its threads stopped and its map is unmapped.
            }
        }
    }
}
