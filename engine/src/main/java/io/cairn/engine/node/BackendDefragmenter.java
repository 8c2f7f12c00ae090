package io.cairn.engine.node;

import io.cairn.btree.Env;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Maintenance.Defragment for one member: the backend file rewritten compactly on a thread of its own
 * while the member goes on serving reads and writes (see {@link Env#defragment}). Requests queue and
 * run one at a time, as etcd's do. Only this member's file changes: nothing goes through Raft.
 */
final class BackendDefragmenter implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BackendDefragmenter.class.getName());
    /** How long closing waits for a defragmentation under way (it holds a read of the file the member closes). */
    private static final long CLOSE_WAIT_SECONDS = 120;

    private final Env env;
    private final NodeMetrics metrics;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
        Thread.ofPlatform().name("cairn-defrag").daemon().factory());

    BackendDefragmenter(final Env env, final NodeMetrics metrics) {
        this.env = env;
        this.metrics = metrics;
    }

    CompletableFuture<Env.Defragmentation> defragment() {
        return CompletableFuture.supplyAsync(this::run, thread);
    }

    private Env.Defragmentation run() {
        LOG.log(System.Logger.Level.INFO, "defragmenting " + env.path() + " (" + env.fileSizeBytes()
            + " bytes); reads and writes go on");
        metrics.defragStarted();
        try {
            final Env.Defragmentation done = env.defragment();
            metrics.defragFinished(done.tookNanos());
            LOG.log(System.Logger.Level.INFO, "defragmented " + env.path() + ": " + done.sizeBeforeBytes() + " -> "
                + done.sizeAfterBytes() + " bytes in " + TimeUnit.NANOSECONDS.toMillis(done.tookNanos()) + " ms ("
                + done.catchUpRounds() + " catch-up rounds; writes waited " + TimeUnit.NANOSECONDS.toMicros(
                    done.writersBlockedNanos()) + " us for the swap)");
            return done;
        } catch (final IOException e) {
            metrics.defragFinished(-1);
            LOG.log(System.Logger.Level.ERROR, "defragmenting " + env.path() + " failed, the file is unchanged: "
                + e.getMessage(), e);
            throw new CompletionException(e);
        }
    }

    @Override
    public void close() {
        thread.shutdown(); // not shutdownNow: an interrupted write would leave the file to a restart
        try {
            if (!thread.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "a defragmentation of " + env.path() + " is still running after "
                    + CLOSE_WAIT_SECONDS + " s; closing without it");
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
