package io.cairn.engine.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.engine.api.EtcdError;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.RangeResponse;
import io.cairn.etcd.api.mvccpb.KeyValue;
import io.cairn.posix.Call;
import io.cairn.posix.Errno;
import io.cairn.posix.FaultyPosix;
import io.cairn.posix.NativePosix;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disk errors under a whole member, injected through the storage seam: a full disk under the tree
 * or under the WAL's next segment, and a failed fdatasync of either. In every case no write is
 * acknowledged that is not durable; a full disk refuses writes with etcd's "database space
 * exceeded" and lets them resume once space is freed, without a restart; a failed fdatasync stops
 * the member's writes (reads go on) and a restart recovers everything acknowledged; the log names
 * the file, the call and what to do. Each case ends with a power cut, so "durable" is checked.
 */
class MemberDiskErrorTest {
    private static final long REQUEST_TIMEOUT_MILLIS = 1_000;
    private static final long AWAIT_SECONDS = 30;

    @TempDir
    Path dir;

    private Path data;
    private FaultyPosix faulty;
    /** Each acknowledged put's key and revision. */
    private final Map<String, Long> acknowledged = new TreeMap<>();
    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(final LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                synchronized (logged) {
                    logged.add(record);
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void setUp() throws Exception {
        data = dir.resolve("data");
        faulty = new FaultyPosix(NativePosix.INSTANCE, dir.resolve("stash"));
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void aFullDiskUnderTheTreeRefusesWritesUntilSpaceIsFreed() throws Exception {
        try (InProcessServer member = start()) {
            final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(member.channel);
            acknowledged.put("a", put(kv, "a"));
            final Predicate<Path> tree = path -> path.getFileName().toString().equals("db");
            faulty.failAlways(Call.PWRITEV, tree, Errno.ENOSPC);
            faulty.failAlways(Call.FALLOCATE, tree, Errno.ENOSPC);
            // Committed to the WAL, but the tree cannot take it: not acknowledged.
            assertEquals(EtcdError.TIMEOUT.message(), error(() -> put(kv, "b")));
            // From now on writes are refused at once, with etcd's text for a full backend.
            awaitError(kv, "c", EtcdError.NO_SPACE.message());
            final RangeResponse read = kv.range(RangeRequest.newBuilder().setKey(DurabilityWorkload.bytes("b")).build());
            assertEquals(0, read.getCount(), "b is not applied while the tree is full");
            assertEquals(acknowledged.get("a").longValue(), read.getHeader().getRevision(),
                "the revision did not move ahead of the tree");
            assertLogged("no space", "db", "free space on the filesystem holding");

            faulty.clearFaults();
            acknowledged.put("d", awaitPut(kv, "d"));
            assertEquals(Map.of("a", 2L, "b", 3L, "d", 4L), keys(kv),
                "b, committed before the disk filled, is applied once space is back; c was refused");
        }
        assertDurableAfterPowerCut();
    }

    @Test
    void aFullDiskForTheNextWalSegmentRefusesWritesUntilSpaceIsFreed() throws Exception {
        try (InProcessServer member = start()) {
            final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(member.channel);
            final Predicate<Path> spares = path -> path.getFileName().toString().startsWith("spare-");
            // Preparing a segment reserves its blocks first: that is where a full disk shows. (Writes
            // into a segment already prepared need no new blocks.)
            faulty.failAlways(Call.FALLOCATE, spares, Errno.ENOSPC);
            // 8 KiB values fill a 128 KiB segment in about 16 puts: write until the WAL needs a
            // segment the full disk cannot give.
            String refusal = null;
            for (int i = 0; i < 200 && refusal == null; i++) {
                final String key = "k" + i;
                try {
                    acknowledged.put(key, put(kv, key, 8_192));
                } catch (final StatusRuntimeException e) {
                    refusal = e.getStatus().getDescription();
                }
            }
            assertTrue(refusal != null, "the WAL never needed a new segment");
            awaitError(kv, "refused", EtcdError.NO_SPACE.message());
            assertLogged("cannot take entries", "spare-", "free space on the filesystem holding");
            final long before = keys(kv).size();

            faulty.clearFaults();
            acknowledged.put("after", awaitPut(kv, "after"));
            assertTrue(keys(kv).size() > before, "writes resume without a restart");
        }
        assertDurableAfterPowerCut();
    }

    @Test
    void aFailedWalSyncStopsWritesAndARestartRecovers() throws Exception {
        try (InProcessServer member = start()) {
            final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(member.channel);
            acknowledged.put("a", put(kv, "a"));
            faulty.failNext(Call.FDATASYNC, path -> path.getFileName().toString().endsWith(".wal"), Errno.EIO, 1);
            final String failed = error(() -> put(kv, "b"));
            assertEquals(EtcdError.STOPPED.message(), failed, "a write whose WAL sync failed is not acknowledged");
            assertEquals(EtcdError.STOPPED.message(), error(() -> put(kv, "c")), "the member takes no more writes");
            assertEquals(1, kv.range(RangeRequest.newBuilder().setKey(DurabilityWorkload.bytes("a")).build()).getCount(),
                "reads go on");
            assertLogged("fdatasync", ".wal", "restart");
        }
        assertDurableAfterPowerCut();
    }

    @Test
    void aFailedTreeSyncStopsWritesAndARestartRecovers() throws Exception {
        try (InProcessServer member = start()) {
            final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(member.channel);
            acknowledged.put("a", put(kv, "a"));
            faulty.failNext(Call.FDATASYNC, path -> path.getFileName().toString().equals("db"), Errno.EIO, 1);
            // The tree syncs on its own thread within 100 ms of a write; once that fails, writes stop.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
            String refusal = null;
            for (int i = 0; refusal == null && System.nanoTime() < deadline; i++) {
                try {
                    acknowledged.put("b" + i, put(kv, "b" + i));
                    TimeUnit.MILLISECONDS.sleep(20);
                } catch (final StatusRuntimeException e) {
                    refusal = e.getStatus().getDescription();
                }
            }
            assertEquals(EtcdError.STOPPED.message(), refusal);
            assertEquals(1, kv.range(RangeRequest.newBuilder().setKey(DurabilityWorkload.bytes("a")).build()).getCount(),
                "reads go on");
            assertLogged("fdatasync", "db", "restart");
        }
        assertDurableAfterPowerCut();
    }

    private InProcessServer start() throws Exception {
        return InProcessServer.start(data, faulty,
            options -> options.withRequestTimeoutNanos(TimeUnit.MILLISECONDS.toNanos(REQUEST_TIMEOUT_MILLIS)));
    }

    /** Cuts the power, reverts what was not synced, restarts: every acknowledged write is there at its revision. */
    private void assertDurableAfterPowerCut() throws Exception {
        faulty.cutPower();
        faulty.revertUnsynced(20261201L);
        try (InProcessServer member = InProcessServer.start(data, NativePosix.INSTANCE)) {
            final Map<String, Long> present = keys(KVGrpc.newBlockingStub(member.channel));
            for (final Map.Entry<String, Long> ack : acknowledged.entrySet()) {
                assertEquals(ack.getValue(), present.get(ack.getKey()), "acknowledged " + ack.getKey() + " after a restart");
            }
            member.store.checkBackend();
        }
    }

    private static long put(final KVGrpc.KVBlockingStub kv, final String key) {
        return put(kv, key, 16);
    }

    private static long put(final KVGrpc.KVBlockingStub kv, final String key, final int valueBytes) {
        return kv.withDeadlineAfter(AWAIT_SECONDS, TimeUnit.SECONDS).put(PutRequest.newBuilder()
            .setKey(DurabilityWorkload.bytes(key)).setValue(com.google.protobuf.ByteString.copyFrom(new byte[valueBytes]))
            .build()).getHeader().getRevision();
    }

    /** Retries a put until it is acknowledged (space is back); returns its revision. */
    private static long awaitPut(final KVGrpc.KVBlockingStub kv, final String key) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
        while (true) {
            try {
                return put(kv, key);
            } catch (final StatusRuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
    }

    private static void awaitError(final KVGrpc.KVBlockingStub kv, final String key, final String expected)
        throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
        String last = null;
        while (System.nanoTime() < deadline) {
            last = error(() -> put(kv, key));
            if (expected.equals(last)) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        fail("expected '" + expected + "', last answer '" + last + "'");
    }

    private static String error(final java.util.function.LongSupplier call) {
        try {
            return "acknowledged at revision " + call.getAsLong();
        } catch (final StatusRuntimeException e) {
            return e.getStatus().getDescription();
        }
    }

    private static Map<String, Long> keys(final KVGrpc.KVBlockingStub kv) {
        final Map<String, Long> keys = new TreeMap<>();
        for (final KeyValue k : kv.withDeadlineAfter(AWAIT_SECONDS, TimeUnit.SECONDS).range(RangeRequest.newBuilder()
            .setKey(DurabilityWorkload.bytes("\0")).setRangeEnd(DurabilityWorkload.bytes("\0")).build()).getKvsList()) {
            keys.put(k.getKey().toStringUtf8(), k.getModRevision());
        }
        return keys;
    }

    /** Some warning or error logged so far mentions every one of {@code words} (message or cause). */
    private void assertLogged(final String... words) {
        synchronized (logged) {
            for (final LogRecord record : logged) {
                final String text = record.getMessage() + (record.getThrown() == null ? "" : " " + record.getThrown());
                boolean all = true;
                for (final String word : words) {
                    all &= text.contains(word);
                }
                if (all) {
                    return;
                }
            }
            fail("nothing logged mentions all of " + List.of(words) + "; logged: "
                + logged.stream().map(LogRecord::getMessage).toList());
        }
    }
}
