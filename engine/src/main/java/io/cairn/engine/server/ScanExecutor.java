package io.cairn.engine.server;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that run key-range scans. Every other handler runs on the gRPC event loop that read
 * the request (it only checks and queues a proposal, or reads one key), because handing each call
 * to another thread cost more CPU in thread wake-ups than the request itself. A scan can touch
 * any number of keys, so it must not hold up the other calls on its event loop: it comes here.
 * Bounded in threads and in waiting scans; beyond that a scan is refused as etcd refuses overload.
 */
final class ScanExecutor implements Executor, AutoCloseable {
    private static final int WAITING_SCANS_MAX = 4_096;
    private static final long SHUTDOWN_GRACE_MILLIS = 5_000;

    private final ThreadPoolExecutor pool;

    ScanExecutor(final int threads) {
        final AtomicInteger created = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(WAITING_SCANS_MAX), task -> {
                final Thread thread = new Thread(task, "cairn-scan-" + created.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
    }

    /** Runs the scan later, or throws etcd's "too many requests" when every slot is taken. */
    @Override
    public void execute(final Runnable scan) {
        try {
            pool.execute(scan);
        } catch (final RejectedExecutionException full) {
            throw new EtcdException(EtcdError.TOO_MANY_REQUESTS);
        }
    }

    @Override
    public void close() {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(SHUTDOWN_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                pool.shutdownNow();
            }
        } catch (final InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
