package io.cairn.bench.load;

import com.google.protobuf.ByteString;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.RangeResponse;
import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.channel.EventLoop;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The round trip of a lone request to an idle server: one serializable one-key Range, sent from
 * the channel's own event loop a fixed pause after the previous answer, timed from send to answer.
 * At a few hundred requests a second every thread on both sides sleeps between requests, so this
 * is the no-disk floor under any write's latency at that rate (the watch benchmark's put-to-event
 * latency, for one).
 */
public final class IdleRangeRun implements Runnable {
    private static final long TIMEOUT_SECONDS_PER_REQUEST = 1;

    private final KVGrpc.KVStub kv;
    private final EventLoop eventLoop;
    private final RangeRequest request;
    private final long pauseNanos;
    private final long warmup;
    private final long total;
    private final Histogram latencyNanos = new Histogram(1, LoadRunner.LATENCY_MAX_NANOS, 3);
    private final Map<String, Long> errorsByCode = new TreeMap<>();
    private final CountDownLatch done = new CountDownLatch(1);
    // Only the event loop touches these after start.
    private long sent;
    private long startNanos;

    private IdleRangeRun(final Connections connections, final byte[] key, final long pauseNanos, final long warmup,
        final long total) {
        this.kv = KVGrpc.newStub(connections.channels().get(0));
        this.eventLoop = connections.eventLoop(0);
        this.request = RangeRequest.newBuilder().setKey(ByteString.copyFrom(key)).setSerializable(true).build();
        this.pauseNanos = pauseNanos;
        this.warmup = warmup;
        this.total = total;
    }

    /** {@code warmup} untimed requests, then {@code total} timed ones, each {@code pauseNanos} after the last answer. */
    public static LoadResult run(final String label, final Connections connections, final byte[] key,
        final long pauseNanos, final long warmup, final long total) throws InterruptedException {
        final IdleRangeRun run = new IdleRangeRun(connections, key, pauseNanos, warmup, total);
        run.eventLoop.execute(run);
        final long timeoutSeconds = (warmup + total) * (TIMEOUT_SECONDS_PER_REQUEST + pauseNanos / 1_000_000_000L);
        if (!run.done.await(timeoutSeconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no answer within " + timeoutSeconds + " s");
        }
        return new LoadResult(label, run.latencyNanos, run.latencyNanos.getTotalCount(), run.errorsByCode,
            System.nanoTime() - run.startNanos);
    }

    /** Sends the next request; its answer schedules the one after. */
    @Override
    public void run() {
        if (sent == warmup + total) {
            done.countDown();
            return;
        }
        if (sent == warmup) {
            startNanos = System.nanoTime();
        }
        final boolean timed = sent >= warmup;
        sent++;
        final long sentAtNanos = System.nanoTime();
        kv.range(request, new StreamObserver<>() {
            @Override
            public void onNext(final RangeResponse response) {
                if (timed) {
                    latencyNanos.recordValue(Math.min(LoadRunner.LATENCY_MAX_NANOS, System.nanoTime() - sentAtNanos));
                }
            }

            @Override
            public void onError(final Throwable failure) {
                errorsByCode.merge(Status.fromThrowable(failure).getCode().name(), 1L, Long::sum);
                eventLoop.schedule(IdleRangeRun.this, pauseNanos, TimeUnit.NANOSECONDS);
            }

            @Override
            public void onCompleted() {
                eventLoop.schedule(IdleRangeRun.this, pauseNanos, TimeUnit.NANOSECONDS);
            }
        });
    }
}
