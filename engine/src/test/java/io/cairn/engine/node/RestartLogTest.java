package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.btree.Env;
import io.cairn.btree.ReadTxn;
import io.cairn.btree.WriteTxn;
import io.cairn.engine.backend.BtreeView;
import io.cairn.engine.backend.Bucket;
import io.cairn.engine.log.LogField;
import io.cairn.engine.mvcc.KeyRange;
import io.cairn.engine.mvcc.KeyValue;
import io.cairn.engine.mvcc.OpResult;
import io.cairn.engine.mvcc.RangeQuery;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.wal.Wal;
import io.cairn.wal.WalOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart reads the whole WAL but keeps in Raft's log only the entries after the tree's applied
 * one, plus {@link MemberOptions#DEFAULT_RESTART_CATCH_UP_ENTRIES} before it; the data, later writes and
 * the WAL itself are unchanged by it.
 */
class RestartLogTest {
    private static final long MEMBER_ID = 0x1234L;
    /** More than the catch-up margin, fewer than a release (the WAL keeps them all). */
    private static final int WRITES = 12_000;
    private static final int IN_FLIGHT = 256;

    @TempDir
    Path dir;

    @Test
    void aRestartKeepsTheLogAfterTheTreeAndAMarginOnly() throws Exception {
        final long lastIndex;
        try (RaftKeyValueStore store = open()) {
            write(store, 0, WRITES);
            lastIndex = store.status().appliedIndex();
        }
        try (RaftKeyValueStore store = open()) {
            // Everything was applied before the stop: the tree's applied entry is the last one.
            assertEquals(lastIndex - MemberOptions.DEFAULT_RESTART_CATCH_UP_ENTRIES + 1, store.raftLogFirstIndex());
            write(store, WRITES, 100);
            for (final int i : new int[] {0, WRITES / 2, WRITES + 99}) {
                final List<KeyValue> kvs = store.range(RangeQuery.of(KeyRange.of(key(i), new byte[0]))).kvs();
                assertEquals(1, kvs.size(), "key " + i);
                assertArrayEquals(value(i), kvs.getFirst().value(), "key " + i);
            }
        }
        // The WAL still holds every entry since its start, for a reader that asks for them all.
        try (Wal wal = Wal.open(dir.resolve("wal"), WalOptions.defaults())) {
            assertEquals(1, wal.recovered().entries().getFirst().index());
        }
        try (RaftKeyValueStore store = open()) {
            assertEquals(WRITES + 100, store.range(RangeQuery.of(KeyRange.of(new byte[] {'k'}, new byte[] {'l'})))
                .kvs().size());
        }
    }

    /**
     * With --snapshot-count far away, the WAL still drops every segment the tree holds but for the
     * catch-up margin (MemberStorage#releaseWalBehindTree), so a restart reads about that margin and
     * a segment, not everything since the last release; the data and the restarted log are as before.
     */
    @Test
    void theWalDropsWhatTheTreeHoldsWithoutWaitingForARelease() throws Exception {
        final int writes = 3 * (int) MemberOptions.DEFAULT_RESTART_CATCH_UP_ENTRIES;
        try (RaftKeyValueStore store = openWithSmallSegments()) {
            write(store, 0, writes);
        }
        // The tree was synced at the stop, so the restarted member's first duty cycles drop every
        // segment whose entries all lie at or below the tree's applied index less the margin. (The
        // applied index is the tree's: entries of the member's own, such as a new leader's empty
        // one, may still be applied after the last write is answered.)
        final long lastIndex = treeAppliedIndex();
        final long marginStart = lastIndex - MemberOptions.DEFAULT_RESTART_CATCH_UP_ENTRIES;
        try (RaftKeyValueStore store = openWithSmallSegments()) {
            final long deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (oldestSegmentLastIndex() <= marginStart && System.nanoTime() < deadlineNanos) {
                Thread.sleep(10);
            }
            assertTrue(oldestSegmentLastIndex() > marginStart, "a segment below the margin is left: "
                + walSegmentNames() + ", margin from " + marginStart);
            assertEquals(lastIndex - MemberOptions.DEFAULT_RESTART_CATCH_UP_ENTRIES + 1, store.raftLogFirstIndex());
        }
        final long restartedLastIndex = treeAppliedIndex(); // the new leader's empty entry too
        try (Wal wal = Wal.open(dir.resolve("wal"), smallSegmentsWal())) {
            final long marker = wal.recovered().snapshot().index();
            assertTrue(marker > 0 && marker <= restartedLastIndex - MemberOptions.DEFAULT_RESTART_CATCH_UP_ENTRIES,
                "the marker of the last drop: " + marker);
            final long firstHeld = wal.recovered().entries().getFirst().index();
            assertTrue(firstHeld > 1 && firstHeld <= marker + 1, "first entry held: " + firstHeld);
        }
        try (RaftKeyValueStore store = openWithSmallSegments()) {
            assertEquals(restartedLastIndex - MemberOptions.DEFAULT_RESTART_CATCH_UP_ENTRIES + 1, store.raftLogFirstIndex());
            write(store, writes, 100);
            assertEquals(writes + 100, store.range(RangeQuery.of(KeyRange.of(new byte[] {'k'}, new byte[] {'l'})))
                .kvs().size());
            for (final int i : new int[] {0, writes / 2, writes + 99}) {
                assertArrayEquals(value(i), store.range(RangeQuery.of(KeyRange.of(key(i), new byte[0]))).kvs()
                    .getFirst().value(), "key " + i);
            }
        }
    }

    /** etcd's "restarting member" line: the member, its indexes, and the backend's and the WAL's share of the start. */
    @Test
    void aRestartIsLoggedWithItsIndexesAndWhereItsTimeWent() throws Exception {
        final List<LogRecord> restarts = new ArrayList<>();
        final Handler capture = new Handler() {
            @Override
            public void publish(final LogRecord record) {
                if ("restarting member".equals(record.getMessage())) {
                    synchronized (restarts) {
                        restarts.add(record);
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
        final Logger logger = Logger.getLogger(MemberStorage.class.getName());
        logger.addHandler(capture);
        try {
            final long lastIndex;
            try (RaftKeyValueStore store = open()) {
                write(store, 0, 100);
                lastIndex = store.status().appliedIndex();
            }
            synchronized (restarts) {
                assertEquals(List.of(), restarts, "a new member bootstraps: no restart");
            }
            try (RaftKeyValueStore store = open()) {
                assertEquals(lastIndex, store.status().appliedIndex());
            }
            synchronized (restarts) {
                assertEquals(1, restarts.size());
                final Map<String, Object> fields = new HashMap<>();
                for (final Object parameter : restarts.getFirst().getParameters()) {
                    fields.put(((LogField)parameter).key(), ((LogField)parameter).value());
                }
                assertEquals(Long.toHexString(MEMBER_ID), fields.get("local-member-id"));
                assertEquals(lastIndex, fields.get("applied-index"));
                assertEquals(lastIndex, fields.get("last-index"));
                assertTrue(fields.get("backend-open-took") instanceof Duration took && !took.isNegative(), fields::toString);
                assertTrue(fields.get("wal-read-took") instanceof Duration took && took.isPositive(), fields::toString);
            }
        } finally {
            logger.removeHandler(capture);
        }
    }

    @Test
    void aTreeTheLogDoesNotAgreeWithKeepsTheWholeLog() throws Exception {
        final long appliedTerm;
        try (RaftKeyValueStore store = open()) {
            write(store, 0, WRITES);
        }
        // As if the tree had come from a leader's snapshot at another term than the log's entry.
        try (Env env = Env.open(dir.resolve("member").resolve("snap").resolve("db"))) {
            try (ReadTxn read = env.beginRead()) {
                appliedTerm = CommandApplier.appliedTerm(new BtreeView(read));
            }
            final WriteTxn txn = env.beginWrite();
            new BtreeView(txn).put(Bucket.META, CommandApplier.META_APPLIED_TERM,
                ByteBuffer.allocate(Long.BYTES).putLong(appliedTerm + 1).array());
            txn.commit();
            env.sync();
        }
        try (RaftKeyValueStore store = open()) {
            assertEquals(1, store.raftLogFirstIndex(), "the whole log");
            assertEquals(WRITES, store.range(RangeQuery.of(KeyRange.of(new byte[] {'k'}, new byte[] {'l'})))
                .kvs().size());
        }
    }

    private static void write(final RaftKeyValueStore store, final int from, final int count) throws Exception {
        final List<CompletableFuture<OpResult.Put>> puts = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            puts.add(store.put(new TxnOp.Put(key(i), value(i), 0, false, false, false)));
            if (puts.size() == IN_FLIGHT) {
                awaitAll(puts);
            }
        }
        awaitAll(puts);
    }

    private static void awaitAll(final List<CompletableFuture<OpResult.Put>> puts) throws Exception {
        for (final CompletableFuture<OpResult.Put> put : puts) {
            put.get(30, TimeUnit.SECONDS);
        }
        puts.clear();
    }

    private static byte[] key(final int i) {
        return String.format("k%06d", i).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] value(final int i) {
        return ("value " + i).getBytes(StandardCharsets.UTF_8);
    }

    private static final long SMALL_SEGMENT_BYTES = 128 << 10;
    private static final long SMALL_MAX_REQUEST_BYTES = 16_384;

    private RaftKeyValueStore openWithSmallSegments() throws Exception {
        return RaftKeyValueStore.open(dir, dir.resolve("wal"), MemberOptions.defaults(MEMBER_ID)
            .withSnapshotCount(1_000_000).withWalSegmentBytes(SMALL_SEGMENT_BYTES)
            .withMaxRequestBytes(SMALL_MAX_REQUEST_BYTES));
    }

    private static WalOptions smallSegmentsWal() {
        return WalOptions.defaults().withMaxWriteBytes(Math.toIntExact(
            MemberStorage.walWriteBytesMax(SMALL_MAX_REQUEST_BYTES, SMALL_SEGMENT_BYTES))).withSegmentBytes(SMALL_SEGMENT_BYTES);
    }

    /** The tree's applied index (the member is stopped). */
    private long treeAppliedIndex() throws Exception {
        try (Env env = Env.open(dir.resolve("member").resolve("snap").resolve("db"));
             ReadTxn read = env.beginRead()) {
            return CommandApplier.appliedIndex(new BtreeView(read));
        }
    }

    /** The WAL's segment files, oldest first (named {@code <sequence>-<first index>.wal} in hex, as etcd's). */
    private List<String> walSegmentNames() throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir.resolve("wal"))) {
            return files.map(f -> f.getFileName().toString()).filter(name -> name.endsWith(".wal")).sorted().toList();
        }
    }

    /** The highest index the oldest segment may hold (its successor's first less one); unbounded for one segment. */
    private long oldestSegmentLastIndex() throws java.io.IOException {
        final List<String> names = walSegmentNames();
        if (names.size() < 2) {
            return Long.MAX_VALUE;
        }
        final String second = names.get(1);
        return Long.parseLong(second.substring(second.indexOf('-') + 1, second.indexOf('.')), 16) - 1;
    }

    private RaftKeyValueStore open() throws Exception {
        return RaftKeyValueStore.open(dir, dir.resolve("wal"), MemberOptions.defaults(MEMBER_ID).withSnapshotCount(1_000_000));
    }
}
