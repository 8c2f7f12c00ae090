package io.cairn.engine.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.cairn.engine.testing.Etcdctl;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.WatchStreamClient;
import io.cairn.etcd.api.etcdserverpb.CompactionRequest;
import io.cairn.etcd.api.etcdserverpb.Compare;
import io.cairn.etcd.api.etcdserverpb.DeleteRangeRequest;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseGrantRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseLeasesRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseRevokeRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseStatus;
import io.cairn.etcd.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.RangeResponse;
import io.cairn.etcd.api.etcdserverpb.RequestOp;
import io.cairn.etcd.api.etcdserverpb.TxnRequest;
import io.cairn.etcd.api.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.api.etcdserverpb.WatchResponse;
import io.cairn.etcd.api.mvccpb.Event;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * `cairn migrate --from-etcd-snapshot` against the etcd the snapshot came from. Debian etcd runs a
 * seeded random history (puts and overwrites, deletes, range deletes, Txns with several writes in
 * one revision, leases with keys attached, a revoke, a physical and a later compaction), `etcdctl
 * snapshot save` writes its snapshot, `cairn migrate` turns it into a data dir, and Cairn serves it.
 * Both must then answer alike: a Range of every key at every revision (compacted ones refused
 * alike), the leases and their attached keys, a Watch from the oldest retained revision, the
 * compaction point, and the next write's revision. Then damaged copies of the snapshot are refused
 * with the file named and no data dir left. Replay a run with -Dcairn.migrate.seed=N.
 */
class EtcdMigrationDifferentialIT {
    private static final long COMMAND_TIMEOUT_SECONDS = 120;
    private static final int STEPS = 400;
    /** Long enough that no lease runs out while the test runs, on either server. */
    private static final long LEASE_TTL_SECONDS = 3_600;
    private static final ByteString ALL_KEYS = ByteString.copyFrom(new byte[] {0});

    @Test
    void aMigratedSnapshotServesWhatEtcdServes() throws Exception {
        final long seed = Long.getLong("cairn.migrate.seed", System.nanoTime());
        System.out.println("EtcdMigrationDifferentialIT seed " + seed + " (replay: -Dcairn.migrate.seed=" + seed + ")");
        final Path work = Files.createTempDirectory("cairn-migrate-it");
        try (ServerProcess etcd = ServerProcess.start(ServerProcess.Kind.ETCD, ServerProcess.freePort(),
            ServerProcess.freePort())) {
            final Script script = new Script(etcd.channel(), new Random(seed));
            script.run();
            final Path snapshot = work.resolve("snapshot.db");
            final String saved = Etcdctl.run(etcd.clientUrl(), "snapshot", "save", snapshot.toString());
            assertTrue(saved.startsWith("exit 0"), saved);

            final int peerPort = ServerProcess.freePort();
            final Path dataDir = work.resolve("cairn");
            final Migration migration = migrate(snapshot, dataDir, peerPort, List.of());
            assertEquals(0, migration.exitCode(), migration.output());
            try (ServerProcess cairn = ServerProcess.start(ServerProcess.Kind.CAIRN, ServerProcess.freePort(), peerPort,
                dataDir)) {
                final String context = "seed " + seed;
                final long current = KVGrpc.newBlockingStub(etcd.channel()).range(RangeRequest.newBuilder()
                    .setKey(ALL_KEYS).build()).getHeader().getRevision();
                assertEquals(rangesAtEveryRevision(etcd.channel(), current), rangesAtEveryRevision(cairn.channel(), current),
                    context);
                assertEquals(compactionOf(etcd.channel(), script.compactedAt), compactionOf(cairn.channel(),
                    script.compactedAt), context);
                assertEquals(leases(etcd.channel(), script), leases(cairn.channel(), script), context);
                assertEquals(watchFrom(etcd.channel(), script.compactedAt + 1, current),
                    watchFrom(cairn.channel(), script.compactedAt + 1, current), context);
                assertEquals(watchFrom(etcd.channel(), script.compactedAt - 1, current),
                    watchFrom(cairn.channel(), script.compactedAt - 1, current), context);
                assertEquals(nextWrite(etcd.channel()), nextWrite(cairn.channel()), context);
            }
            refusals(snapshot, work);
        } finally {
            ServerProcess.deleteRecursively(work);
        }
    }

    /** Damaged copies of the snapshot: each refused with the file named, and no data dir left. */
    private static void refusals(final Path snapshot, final Path work) throws Exception {
        final int peerPort = ServerProcess.freePort();
        final Path dataDir = work.resolve("refused");

        final Path truncated = work.resolve("truncated.db");
        Files.copy(snapshot, truncated);
        try (FileChannel file = FileChannel.open(truncated, StandardOpenOption.WRITE)) {
            file.truncate(Files.size(snapshot) - 4096);
        }
        final Migration hashRefused = migrate(truncated, dataDir, peerPort, List.of());
        assertEquals(1, hashRefused.exitCode(), hashRefused.output());
        assertTrue(hashRefused.output().contains(truncated + ": expected sha256"), hashRefused.output());
        assertFalse(Files.exists(dataDir));

        final Migration boltRefused = migrate(truncated, dataDir, peerPort, List.of("--skip-hash-check"));
        assertEquals(1, boltRefused.exitCode(), boltRefused.output());
        assertTrue(boltRefused.output().contains(truncated + ": truncated"), boltRefused.output());
        assertFalse(Files.exists(dataDir));

        final Path notBolt = work.resolve("not-bolt.db");
        Files.write(notBolt, new byte[8192]);
        final Migration magicRefused = migrate(notBolt, dataDir, peerPort, List.of("--skip-hash-check"));
        assertEquals(1, magicRefused.exitCode(), magicRefused.output());
        assertTrue(magicRefused.output().contains(notBolt + ": meta page 0 has no bbolt magic"), magicRefused.output());
        assertFalse(Files.exists(dataDir));
    }

    /** The history: seeded, over a few keys so that keys get many versions, deletes and re-creations. */
    private static final class Script {
        private final KVGrpc.KVBlockingStub kv;
        private final LeaseGrpc.LeaseBlockingStub lease;
        private final Random random;
        private final List<Long> liveLeases = new ArrayList<>();
        final List<Long> revokedLeases = new ArrayList<>();
        long compactedAt;

        Script(final ManagedChannel channel, final Random random) {
            this.kv = KVGrpc.newBlockingStub(channel);
            this.lease = LeaseGrpc.newBlockingStub(channel);
            this.random = random;
        }

        void run() {
            for (int i = 0; i < 3; i++) {
                grant();
            }
            for (int step = 0; step < STEPS; step++) {
                if (step == STEPS / 3) {
                    compactedAt = current() - 5;
                    kv.compact(CompactionRequest.newBuilder().setRevision(compactedAt).setPhysical(true).build());
                }
                if (step == 2 * STEPS / 3) {
                    // Not physical: the snapshot may catch etcd's finished point behind its scheduled one.
                    compactedAt = current() - 20;
                    kv.compact(CompactionRequest.newBuilder().setRevision(compactedAt).build());
                }
                final int dice = random.nextInt(100);
                if (dice < 45) {
                    put(key(), false);
                } else if (dice < 55) {
                    put(ByteString.copyFromUtf8("lease/" + random.nextInt(12)), true);
                } else if (dice < 65) {
                    kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(key()).build());
                } else if (dice < 70) {
                    final ByteString from = key();
                    kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(from)
                        .setRangeEnd(ByteString.copyFromUtf8(from.toStringUtf8() + "5")).build());
                } else if (dice < 88) {
                    txn();
                } else if (dice < 94) {
                    grant();
                } else if (!liveLeases.isEmpty()) {
                    final long id = liveLeases.remove(random.nextInt(liveLeases.size()));
                    lease.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(id).build());
                    revokedLeases.add(id);
                }
            }
        }

        private long current() {
            return kv.range(RangeRequest.newBuilder().setKey(ALL_KEYS).build()).getHeader().getRevision();
        }

        /**
         * Keys under a few prefixes, with a 0x00 byte in some (Cairn escapes it in its tree keys);
         * leased puts go under "lease/", which only deletes and revokes touch besides.
         */
        private ByteString key() {
            final String[] prefixes = {"a/", "b/", "c\u0000/"};
            return ByteString.copyFromUtf8(prefixes[random.nextInt(prefixes.length)] + random.nextInt(12));
        }

        private void put(final ByteString key, final boolean leased) {
            final PutRequest.Builder put = PutRequest.newBuilder().setKey(key)
                .setValue(ByteString.copyFromUtf8("v" + random.nextInt(1_000_000)));
            if (leased && !liveLeases.isEmpty()) {
                put.setLease(liveLeases.get(random.nextInt(liveLeases.size())));
            }
            kv.put(put.build());
        }

        /** A compare on one key's version; each branch writes several keys in one revision. */
        private void txn() {
            final ByteString guard = key();
            final TxnRequest.Builder txn = TxnRequest.newBuilder().addCompare(Compare.newBuilder()
                .setKey(guard).setTarget(Compare.CompareTarget.VERSION).setResult(Compare.CompareResult.GREATER)
                .setVersion(random.nextInt(3)));
            final List<ByteString> used = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                final ByteString key = ByteString.copyFromUtf8("txn/" + random.nextInt(20));
                if (used.contains(key)) {
                    continue;
                }
                used.add(key);
                final RequestOp op = random.nextInt(3) == 0
                    ? RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(key)).build()
                    : RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key)
                        .setValue(ByteString.copyFromUtf8("t" + random.nextInt(1000)))).build();
                if (random.nextBoolean()) {
                    txn.addSuccess(op);
                } else {
                    txn.addFailure(op);
                }
            }
            kv.txn(txn.build());
        }

        private void grant() {
            liveLeases.add(lease.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(LEASE_TTL_SECONDS).build()).getID());
        }
    }

    /** Every key at every revision from 1 to one past the current one, or the error each gets. */
    private static List<String> rangesAtEveryRevision(final ManagedChannel channel, final long current) {
        final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
        final List<String> out = new ArrayList<>();
        for (long revision = 1; revision <= current + 1; revision++) {
            try {
                final RangeResponse range = kv.range(RangeRequest.newBuilder().setKey(ALL_KEYS).setRangeEnd(ALL_KEYS)
                    .setRevision(revision).build());
                out.add("at " + revision + ": header revision " + range.getHeader().getRevision() + ", count "
                    + range.getCount() + ", more " + range.getMore() + "\n" + range.getKvsList());
            } catch (final StatusRuntimeException e) {
                out.add("at " + revision + ": " + e.getStatus().getCode() + " " + e.getStatus().getDescription());
            }
        }
        return out;
    }

    /** Compacting at the compaction point again is refused, and one past it is accepted. */
    private static List<String> compactionOf(final ManagedChannel channel, final long compactedAt) {
        final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
        final List<String> out = new ArrayList<>();
        try {
            kv.compact(CompactionRequest.newBuilder().setRevision(compactedAt).build());
            out.add("compaction at " + compactedAt + " accepted");
        } catch (final StatusRuntimeException e) {
            out.add("compaction at " + compactedAt + ": " + e.getStatus().getCode() + " " + e.getStatus().getDescription());
        }
        return out;
    }

    /**
     * The leases, each with its granted TTL and attached keys; the remaining TTL only as "running":
     * etcd's has been counting since the grant, the migrated one since Cairn loaded it (etcd's rule on
     * a restart). Revoked leases are not found.
     */
    private static List<String> leases(final ManagedChannel channel, final Script script) {
        final LeaseGrpc.LeaseBlockingStub lease = LeaseGrpc.newBlockingStub(channel);
        final List<String> out = new ArrayList<>();
        final List<Long> ids = lease.leaseLeases(LeaseLeasesRequest.getDefaultInstance()).getLeasesList().stream()
            .map(LeaseStatus::getID).sorted().toList();
        out.add("leases " + ids);
        for (final long id : ids) {
            final LeaseTimeToLiveResponse ttl = lease.leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(id)
                .setKeys(true).build());
            final boolean running = ttl.getTTL() > 0 && ttl.getTTL() <= ttl.getGrantedTTL();
            out.add(Long.toHexString(id) + ": granted " + ttl.getGrantedTTL() + ", running " + running + ", keys "
                + ttl.getKeysList().stream().map(k -> k.toString(StandardCharsets.UTF_8)).sorted().toList());
        }
        for (final long id : script.revokedLeases) {
            final LeaseTimeToLiveResponse ttl = lease.leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(id).build());
            out.add("revoked " + Long.toHexString(id) + ": TTL " + ttl.getTTL());
        }
        return out;
    }

    /** Every event of a watch on all keys from {@code fromRevision} up to {@code current}, with previous values. */
    private static List<String> watchFrom(final ManagedChannel channel, final long fromRevision, final long current)
        throws InterruptedException {
        final List<String> out = new ArrayList<>();
        try (WatchStreamClient watch = WatchStreamClient.open(channel)) {
            watch.create(WatchCreateRequest.newBuilder().setKey(ALL_KEYS).setRangeEnd(ALL_KEYS)
                .setStartRevision(fromRevision).setPrevKv(true));
            final WatchResponse created = watch.take();
            out.add("created " + created.getCreated() + ", canceled " + created.getCanceled() + ", compact revision "
                + created.getCompactRevision());
            if (created.getCanceled()) {
                return out;
            }
            long seen = fromRevision - 1;
            while (seen < current) {
                final WatchResponse response = watch.take();
                if (response.getCanceled() || response.getCompactRevision() != 0) {
                    out.add("canceled " + response.getCanceled() + ", compact revision " + response.getCompactRevision());
                    return out;
                }
                for (final Event event : response.getEventsList()) {
                    out.add(event.getType() + " " + event.getKv() + " prev " + event.getPrevKv());
                    seen = event.getKv().getModRevision();
                }
            }
        }
        return out;
    }

    /** The revision the next write takes, and what a read then sees. */
    private static List<String> nextWrite(final ManagedChannel channel) {
        final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
        final long revision = kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("after/migration"))
            .setValue(ByteString.copyFromUtf8("x")).build()).getHeader().getRevision();
        return List.of("put at " + revision, kv.range(RangeRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8("after/")).setRangeEnd(ByteString.copyFromUtf8("after0")).build())
            .getKvsList().toString());
    }

    private record Migration(int exitCode, String output) {
    }

    private static Migration migrate(final Path snapshot, final Path dataDir, final int peerPort, final List<String> extra)
        throws IOException, InterruptedException {
        final String peerUrl = "http://127.0.0.1:" + peerPort;
        final List<String> command = new ArrayList<>(ServerProcess.cairnCommand());
        command.addAll(List.of("migrate", "--from-etcd-snapshot", snapshot.toString(), "--name", "default",
            "--initial-cluster", "default=" + peerUrl, "--initial-advertise-peer-urls", peerUrl,
            "--data-dir", dataDir.toString()));
        command.addAll(extra);
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(command + " did not finish");
        }
        System.out.println("cairn migrate " + snapshot.getFileName() + " " + extra + ": exit " + process.exitValue()
            + "\n" + output);
        return new Migration(process.exitValue(), output);
    }
}
