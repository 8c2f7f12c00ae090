package io.cairn.engine.compaction;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.config.AutoCompaction;
import io.cairn.engine.node.KeyValueStore;
import java.util.OptionalLong;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link CompactionPolicy} on its own thread against the store, as etcd's
 * --auto-compaction-mode/--auto-compaction-retention ask. Compaction goes through the same path as
 * a client's Compact request.
 */
public final class AutoCompactor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AutoCompactor.class.getName());

    private final ScheduledExecutorService thread;

    private AutoCompactor(final ScheduledExecutorService thread) {
        this.thread = thread;
    }

    /** Starts compacting by the configured policy; a disabled setting starts nothing. */
    public static AutoCompactor start(final AutoCompaction settings, final KeyValueStore store) {
        final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            final Thread t = new Thread(runnable, "cairn-auto-compaction");
            t.setDaemon(true);
            return t;
        });
        if (!settings.enabled()) {
            return new AutoCompactor(thread);
        }
        final CompactionPolicy policy = settings.mode() == AutoCompaction.Mode.REVISION
            ? new RevisionRetention(settings.revisions())
            : new PeriodicRetention(settings.retention(), System.nanoTime(), store.currentRevision());
        final long intervalNanos = policy.wakeInterval().toNanos();
        thread.scheduleWithFixedDelay(() -> wake(policy, store), intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
        return new AutoCompactor(thread);
    }

    private static void wake(final CompactionPolicy policy, final KeyValueStore store) {
        final OptionalLong due = policy.onWake(System.nanoTime(), store.currentRevision());
        if (due.isEmpty()) {
            return;
        }
        final long revision = due.getAsLong();
        boolean done;
        try {
            store.compact(revision, false).join();
            done = true;
            LOG.log(System.Logger.Level.INFO, "auto compaction: compacted to revision {0}", revision);
        } catch (final CompletionException wrapped) {
            done = wrapped.getCause() instanceof EtcdException e && e.error() == EtcdError.COMPACTED;
            if (!done) {
                LOG.log(System.Logger.Level.WARNING, "auto compaction to revision {0} failed: {1}", revision,
                    String.valueOf(wrapped.getCause()));
            }
        } catch (final RuntimeException e) {
            done = false;
            LOG.log(System.Logger.Level.WARNING, "auto compaction to revision " + revision + " failed", e);
        }
        policy.onCompacted(System.nanoTime(), revision, done);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
