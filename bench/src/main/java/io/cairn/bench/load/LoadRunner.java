package io.cairn.bench.load;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Channel;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Drives a {@link Workload} against one endpoint as a {@link LoadPlan} says: one issuing thread,
 * at most {@code clients} requests in flight (a semaphore), requests spread round-robin over the
 * connections. Closed loop without a rate; open loop, timed from each request's due time, with one.
 */
public final class LoadRunner {
    static final long LATENCY_MAX_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final int SIGNIFICANT_DIGITS = 3;
    private static final long RUN_TIMEOUT_MINUTES = 60;

    private LoadRunner() {
    }

    public static LoadResult run(final String label, final List<? extends Channel> connections,
        final Workload workload, final LoadPlan plan) throws InterruptedException {
        if (plan.warmup() > 0) {
            execute(connections, workload, new LoadPlan(plan.clients(), plan.warmup(), 0, plan.ratePerSecond()), 0,
                null, null);
        }
        final Recorder recorder = new Recorder(1, LATENCY_MAX_NANOS, SIGNIFICANT_DIGITS);
        final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
        final long started = System.nanoTime();
        final long succeeded = execute(connections, workload, plan, plan.warmup(), recorder, errors);
        final long elapsed = System.nanoTime() - started;
        final Histogram histogram = recorder.getIntervalHistogram();
        final Map<String, Long> errorCounts = new java.util.TreeMap<>();
        errors.forEach((code, count) -> errorCounts.put(code, count.get()));
        return new LoadResult(label, histogram, succeeded, errorCounts, elapsed);
    }

    /** Issues requests [first, first + plan.total) and returns how many succeeded. */
    private static long execute(final List<? extends Channel> connections, final Workload workload,
        final LoadPlan plan, final long first, final Recorder recorder, final Map<String, AtomicLong> errors)
        throws InterruptedException {
        final Semaphore inFlight = new Semaphore(plan.clients());
        final CountDownLatch done = new CountDownLatch((int)Math.min(plan.total(), Integer.MAX_VALUE));
        final AtomicLong succeeded = new AtomicLong();
        final double intervalNanos = plan.ratePerSecond() > 0 ? 1e9 / plan.ratePerSecond() : 0;
        final long start = System.nanoTime();
        for (long i = 0; i < plan.total(); i++) {
            final long due = start + (long)(i * intervalNanos);
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            inFlight.acquire();
            // Open loop: count from when the request was due, including any wait for a free client.
            final long timedFrom = intervalNanos > 0 ? due : System.nanoTime();
            final Channel connection = connections.get((int)(i % connections.size()));
            Futures.addCallback(workload.send(connection, first + i), new FutureCallback<Object>() {
                @Override
                public void onSuccess(final Object response) {
                    if (recorder != null) {
                        recorder.recordValue(Math.min(LATENCY_MAX_NANOS, Math.max(1, System.nanoTime() - timedFrom)));
                    }
                    succeeded.incrementAndGet();
                    finish();
                }

                @Override
                public void onFailure(final Throwable failure) {
                    if (errors != null) {
                        errors.computeIfAbsent(Status.fromThrowable(failure).getCode().name(), c -> new AtomicLong())
                            .incrementAndGet();
                    }
                    finish();
                }

                private void finish() {
                    inFlight.release();
                    done.countDown();
                }
            }, MoreExecutors.directExecutor());
        }
        if (!done.await(RUN_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            throw new IllegalStateException("requests still unanswered after " + RUN_TIMEOUT_MINUTES + " minutes");
        }
        return succeeded.get();
    }
}
