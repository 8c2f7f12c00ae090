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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The apply thread's queue: a submitted batch is the apply thread's own, whatever the Raft loop does
 * with its list afterwards (the Raft node empties and refills the list a Ready handed out at the next
 * Ready, issue #21).
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
