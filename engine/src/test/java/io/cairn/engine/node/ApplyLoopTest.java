package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.btree.Env;
import io.cairn.btree.EnvOptions;
import io.cairn.engine.command.Command;
import io.cairn.engine.command.CommandCodec;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.raft.Entry;
import io.cairn.raft.EntryType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The apply thread's queue: a submitted batch is the apply thread's own, whatever the Raft loop does
 * with its list afterwards (the Raft node empties and refills the list a Ready handed out at the next
 * Ready, issue #21); and its compaction slices wait for the syncs that let the tree reuse their pages.
 */
class ApplyLoopTest {
    private static final long TIMEOUT_SECONDS = 30;

    @TempDir
    Path dir;

    @Test
    void aSubmittedBatchIsAppliedAsItWasWhenTheCallerReusesItsList() throws Exception {
        final CountDownLatch firstApplying = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        try (Env env = Env.open(dir.resolve("db"), EnvOptions.defaults().withSyncOnCommit(false))) {
            final CommandApplier applier = new CommandApplier(env, 2);
            final CommandApplier.Outcome holdTheFirst = (requestId, result) -> {
                if (requestId == 1) { // the apply thread waits inside the first batch, so the second stays queued
                    firstApplying.countDown();
                    await(release);
                }
            };
            final ApplyLoop loop = new ApplyLoop(applier, holdTheFirst, new NodeMetrics(null, null, null));
            loop.start();
            final List<Entry> reused = new ArrayList<>();
            reused.add(put(1, "a"));
            loop.submit(reused);
            await(firstApplying);
            reused.clear(); // what the Raft node does with its list at advance
            reused.add(put(2, "b"));
            reused.add(put(3, "c"));
            loop.submit(reused);
            reused.clear(); // and again: the second batch is still in the queue
            reused.add(put(4, "d"));
            release.countDown();
            loop.awaitApplied();
            assertEquals(3, applier.appliedIndex(), "the three entries submitted, not what the list held later");
            loop.close();
        }
    }

    /**
     * A physical compaction runs in slices, and a page a slice rewrites is reused only after a sync.
     * With syncs slower than slices (a busy disk), slices that did not wait for the sync before them
     * grew the file by every page they rewrote meanwhile. The history here gives every slice work:
     * waves of fresh keys, each updated a few times, so that each slice of 1,000 revisions drops the
     * old versions of the keys it meets first.
     */
    @Test
    void compactionSlicesWaitForTheSyncsThatLetTheTreeReuseTheirPages() throws Exception {
        final int waves = 16;
        final int keysPerWave = 250;
        final int versionsPerKey = 4; // one slice's 1,000 revisions per wave
        final long compactionId = 1L << 40;
        final CountDownLatch compacted = new CountDownLatch(1);
        try (Env env = Env.open(dir.resolve("db"), EnvOptions.defaults().withSyncOnCommit(false))) {
            final CommandApplier applier = new CommandApplier(env, 2);
            final ApplyLoop loop = new ApplyLoop(applier, (requestId, result) -> {
                if (requestId == compactionId && result instanceof Long) { // not the "answered later" mark
                    compacted.countDown();
                }
            }, new NodeMetrics(null, null, null), () -> {
                pause(SLOW_SYNC_MILLIS);
                applier.sync();
            }, applier::unmapTreePages, TreeUnmapSchedule.EVERY_NANOS);
            loop.start();
            final byte[] value = new byte[400];
            long index = 0;
            for (int wave = 0; wave < waves; wave++) {
                for (int version = 0; version < versionsPerKey; version++) {
                    final List<Entry> batch = new ArrayList<>();
                    for (int key = 0; key < keysPerWave; key++) {
                        index++;
                        final byte[] name = "wave-%02d/key-%04d".formatted(wave, key).getBytes(StandardCharsets.UTF_8);
                        batch.add(new Entry(2, index, EntryType.NORMAL, CommandCodec.encode(
                            new Command.Write(index, new TxnOp.Put(name, value, 0, false, false, false)))));
                    }
                    loop.submit(batch);
                }
            }
            loop.awaitApplied();
            final long beforeBytes = env.fileSizeBytes();
            index++;
            loop.submit(List.of(new Entry(2, index, EntryType.NORMAL,
                CommandCodec.encode(new Command.Compact(compactionId, index - 1, true)))));
            final long startedNanos = System.nanoTime();
            await(compacted);
            final long tookMillis = (System.nanoTime() - startedNanos) / 1_000_000;
            final long grownBytes = env.fileSizeBytes() - beforeBytes;
            loop.close();
            System.out.printf("ApplyLoopTest: the tree held %,d bytes before the compaction and grew by %,d during"
                + " it (%,d ms, syncs of %d ms)%n", beforeBytes, grownBytes, tookMillis, SLOW_SYNC_MILLIS);
            assertTrue(grownBytes <= beforeBytes / 8, "the tree grew by " + grownBytes + " bytes from " + beforeBytes
                + " during a compaction of " + waves + " slices");
        }
    }

    private static final long SLOW_SYNC_MILLIS = 300;

    /**
     * The sync thread unmaps the tree's pages on its own clock, with no batch to apply: an idle
     * member's reads map pages too. A refused unmap costs memory only: the thread reports it, stops
     * trying, and goes on syncing.
     */
    @Test
    void theSyncThreadUnmapsTheTreeOnItsClockAndOutlivesARefusal() throws Exception {
        final long everyNanos = TimeUnit.MILLISECONDS.toNanos(20);
        try (Env env = Env.open(dir.resolve("db"), EnvOptions.defaults().withSyncOnCommit(false))) {
            final CommandApplier applier = new CommandApplier(env, 2);
            final CountDownLatch unmapped = new CountDownLatch(3);
            final ApplyLoop idle = new ApplyLoop(applier, (requestId, result) -> { }, new NodeMetrics(null, null, null),
                applier::sync, unmapped::countDown, everyNanos);
            idle.start();
            await(unmapped);
            idle.close();

            final AtomicInteger refusals = new AtomicInteger();
            final ApplyLoop refused = new ApplyLoop(applier, (requestId, result) -> { }, new NodeMetrics(null, null, null),
                applier::sync, () -> {
                    refusals.incrementAndGet();
                    throw new IOException("madvise(MADV_DONTNEED) refused");
                }, everyNanos);
            refused.start();
            pause(20 * TimeUnit.NANOSECONDS.toMillis(everyNanos));
            refused.submit(List.of(put(1, "a")));
            refused.awaitApplied();
            final long deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            while (refused.syncedIndex() < 1 && System.nanoTime() < deadlineNanos) {
                pause(10); // the sync thread's own budget, 100 ms
            }
            assertEquals(1, refused.syncedIndex(), "the sync thread goes on syncing after a refused unmap");
            assertEquals(1, refusals.get(), "a refused unmap is not retried");
            refused.close();
        }
    }

    private static void pause(final long millis) {
        try {
            Thread.sleep(millis);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void await(final CountDownLatch latch) {
        try {
            assertTrue(latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS), "waited " + TIMEOUT_SECONDS + " s");
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Entry put(final long index, final String key) {
        final byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        return new Entry(2, index, EntryType.NORMAL,
            CommandCodec.encode(new Command.Write(index, new TxnOp.Put(bytes, bytes, 0, false, false, false))));
    }
}
