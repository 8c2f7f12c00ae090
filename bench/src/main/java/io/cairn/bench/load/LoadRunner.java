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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Drives a {@link Workload} against one endpoint as a {@link LoadPlan} says: at most
 * {@code clients} requests in flight, spread round-robin over the connections. Closed loop without
 * a rate ({@code clients} request chains); open loop, timed from each request's due time, with one.
 */
public final class LoadRunner {
    static final long LATENCY_MAX_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final int SIGNIFICANT_DIGITS = 3;
    private static final long RUN_TIMEOUT_MINUTES = 60;

    private LoadRunner() {
    }

    public static LoadResult run(final String label, final List<? extends Channel> connections,
        final Workload workload, final LoadPlan plan) throws InterruptedException {
        return run(label, connections, workload, plan, ProcessCpu.UNKNOWN);
    }

    /** As above, also measuring the CPU this process and {@code server} use in the timed part. */
    public static LoadResult run(final String label, final List<? extends Channel> connections,
        final Workload workload, final LoadPlan plan, final ProcessCpu server) throws InterruptedException {
        final ProcessCpu client = ProcessCpu.self();
        if (plan.warmup() > 0) {
            execute(connections, workload, new LoadPlan(plan.clients(), plan.warmup(), 0, plan.ratePerSecond()), 0,
                null, null);
        }
        final Recorder recorder = new Recorder(1, LATENCY_MAX_NANOS, SIGNIFICANT_DIGITS);
        final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
        final long clientCpuBefore = client.nanos();
        final long serverCpuBefore = server.nanos();
        final long started = System.nanoTime();
        final long succeeded = execute(connections, workload, plan, plan.warmup(), recorder, errors);
        final long elapsed = System.nanoTime() - started;
        final long clientCpu = ProcessCpu.between(clientCpuBefore, client.nanos());
        final long serverCpu = ProcessCpu.between(serverCpuBefore, server.nanos());
        final Histogram histogram = recorder.getIntervalHistogram();
        final Map<String, Long> errorCounts = new java.util.TreeMap<>();
        errors.forEach((code, count) -> errorCounts.put(code, count.get()));
        return new LoadResult(label, histogram, succeeded, errorCounts, elapsed, clientCpu, serverCpu);
    }

    /** Issues requests [first, first + plan.total) and returns how many succeeded. */
    private static long execute(final List<? extends Channel> connections, final Workload workload,
        final LoadPlan plan, final long first, final Recorder recorder, final Map<String, AtomicLong> errors)
        throws InterruptedException {
        final Outcomes outcomes = new Outcomes(plan.total(), recorder, errors);
        if (plan.ratePerSecond() > 0) {
            issueAtRate(connections, workload, plan, first, outcomes);
        } else {
            final AtomicLong next = new AtomicLong();
            final int chains = (int)Math.min(plan.clients(), plan.total());
            for (int c = 0; c < chains; c++) {
                new ClosedLoopClient(connections, workload, plan.total(), first, next, outcomes).sendNext();
            }
        }
        if (!outcomes.done.await(RUN_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            throw new IllegalStateException("requests still unanswered after " + RUN_TIMEOUT_MINUTES + " minutes");
        }
        return outcomes.succeeded.get();
    }

    /**
     * Open loop: one thread issues each request at its due time, at most {@code clients} in flight,
     * and each latency counts from the due time, including any wait for a free client.
     */
    private static void issueAtRate(final List<? extends Channel> connections, final Workload workload,
        final LoadPlan plan, final long first, final Outcomes outcomes) throws InterruptedException {
        final Semaphore inFlight = new Semaphore(plan.clients());
        final double intervalNanos = 1e9 / plan.ratePerSecond();
        final long start = System.nanoTime();
        for (long i = 0; i < plan.total(); i++) {
            final long due = start + (long)(i * intervalNanos);
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            inFlight.acquire();
            final Channel connection = connections.get((int)(i % connections.size()));
            Futures.addCallback(workload.send(connection, first + i), new FutureCallback<Object>() {
                @Override
                public void onSuccess(final Object response) {
                    outcomes.succeeded(due);
                    inFlight.release();
                }

                @Override
                public void onFailure(final Throwable failure) {
                    outcomes.failed(failure);
                    inFlight.release();
                }
            }, MoreExecutors.directExecutor());
        }
    }

    /**
     * Closed loop: one of {@code clients} request chains. Each answer sends the chain's next request
     * from the thread that delivered it, so no issuing thread has to be woken per request (on a
     * 2-core machine that wake-up cost the load generator more CPU than the servers spent on a put).
     */
    private static final class ClosedLoopClient implements FutureCallback<Object> {
        private final List<? extends Channel> connections;
        private final Workload workload;
        private final long total;
        private final long first;
        private final AtomicLong next;
        private final Outcomes outcomes;
        /** Requests to send; only the caller that raises it from 0 sends, so an answer delivered
         * inside {@code send} (a call failed at once) loops here instead of recursing. */
        private final AtomicInteger pendingSends = new AtomicInteger();
        private long sentAt;

        ClosedLoopClient(final List<? extends Channel> connections, final Workload workload, final long total,
            final long first, final AtomicLong next, final Outcomes outcomes) {
            this.connections = connections;
            this.workload = workload;
            this.total = total;
            this.first = first;
            this.next = next;
            this.outcomes = outcomes;
        }

        void sendNext() {
            if (pendingSends.getAndIncrement() != 0) {
                return;
            }
            do {
                final long i = next.getAndIncrement();
                if (i >= total) {
                    return;
                }
                sentAt = System.nanoTime();
                final Channel connection = connections.get((int)(i % connections.size()));
                Futures.addCallback(workload.send(connection, first + i), this, MoreExecutors.directExecutor());
            } while (pendingSends.decrementAndGet() != 0);
        }

        @Override
        public void onSuccess(final Object response) {
            outcomes.succeeded(sentAt);
            sendNext();
        }

        @Override
        public void onFailure(final Throwable failure) {
            outcomes.failed(failure);
            sendNext();
        }
    }

    /** Counts and times the answers of one run; {@code done} opens when all have come. */
    private static final class Outcomes {
        final CountDownLatch done;
        final AtomicLong succeeded = new AtomicLong();
        private final Recorder recorder;
        private final Map<String, AtomicLong> errors;

        Outcomes(final long total, final Recorder recorder, final Map<String, AtomicLong> errors) {
            this.done = new CountDownLatch((int)Math.min(total, Integer.MAX_VALUE));
            this.recorder = recorder;
            this.errors = errors;
        }

        void succeeded(final long timedFromNanos) {
            if (recorder != null) {
                recorder.recordValue(Math.min(LATENCY_MAX_NANOS, Math.max(1, System.nanoTime() - timedFromNanos)));
            }
            succeeded.incrementAndGet();
            done.countDown();
        }

        void failed(final Throwable failure) {
            if (errors != null) {
                errors.computeIfAbsent(Status.fromThrowable(failure).getCode().name(), c -> new AtomicLong())
                    .incrementAndGet();
            }
            done.countDown();
        }
    }
}
