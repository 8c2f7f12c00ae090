package io.cairn.bench.load;

import com.google.protobuf.ByteString;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.PutResponse;
import io.cairn.etcd.api.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.api.etcdserverpb.WatchGrpc;
import io.cairn.etcd.api.etcdserverpb.WatchRequest;
import io.cairn.etcd.api.etcdserverpb.WatchResponse;
import io.cairn.etcd.api.mvccpb.Event;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.netty.channel.EventLoop;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Put-to-event latency (etcd benchmark's {@code watch-latency}): {@code streams} watch streams each
 * hold {@code watchersPerStream} watchers on one key; puts at a fixed rate carry their send time
 * in the value; every watcher's event is timed from that send time. Missing events are reported
 * as errors.
 */
public final class WatchLatencyRun {
    private static final long SETUP_TIMEOUT_SECONDS = 30;
    private static final long DRAIN_TIMEOUT_SECONDS = 60;
    private static final int PUTS_IN_FLIGHT_MAX = 256;
    private static final long SEND_TIMEOUT_SECONDS = 60;
    /** How long the sender waits before looking again while PUTS_IN_FLIGHT_MAX puts are unanswered. */
    private static final long FULL_RETRY_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    private WatchLatencyRun() {
    }

    /**
     * With {@code distinctKeys} every watcher watches a key of its own and the puts go round-robin
     * over those keys, so each put is one event (fan-out by key rather than to everyone).
     * {@code holdSeconds} keeps the watchers open after the run, to measure the server's heap. The
     * first {@code warmupPuts} puts go out on the same schedule untimed (both JITs warm up on them).
     */
    public static LoadResult run(final String label, final Connections connections, final int streams,
        final int watchersPerStream, final long warmupPuts, final long puts, final double putRatePerSecond,
        final int valueSizeBytes, final boolean distinctKeys, final long holdSeconds) throws InterruptedException {
        return run(label, connections, connections, streams, watchersPerStream, warmupPuts, puts, putRatePerSecond,
            valueSizeBytes, distinctKeys, holdSeconds);
    }

    /**
     * As above, the puts sent over {@code putConnections}' first channel and the watch streams spread
     * over {@code watchConnections}: on a cluster, puts to one member and watchers on another, so
     * every event crosses replication before it is timed.
     */
    public static LoadResult run(final String label, final Connections putConnections,
        final Connections watchConnections, final int streams, final int watchersPerStream, final long warmupPuts,
        final long puts, final double putRatePerSecond, final int valueSizeBytes, final boolean distinctKeys,
        final long holdSeconds) throws InterruptedException {
        final String key = "cairn-bench/watch-latency";
        final int watchers = streams * watchersPerStream;
        final Recorder recorder = new Recorder(1, LoadRunner.LATENCY_MAX_NANOS, 3);
        final long eventsPerPut = distinctKeys ? 1 : watchers;
        final long expectedEvents = puts * eventsPerPut;
        final CountDownLatch created = new CountDownLatch(streams * watchersPerStream);
        final CountDownLatch events =
            new CountDownLatch((int)Math.min((warmupPuts + puts) * eventsPerPut, Integer.MAX_VALUE));
        final AtomicLong received = new AtomicLong();
        final List<StreamObserver<WatchRequest>> requests = new ArrayList<>();
        final List<ManagedChannel> watchChannels = watchConnections.channels();
        for (int s = 0; s < streams; s++) {
            final StreamObserver<WatchRequest> stream = WatchGrpc.newStub(watchChannels.get(s % watchChannels.size()))
                .watch(new StreamObserver<>() {
                    @Override
                    public void onNext(final WatchResponse response) {
                        if (response.getCreated()) {
                            created.countDown();
                        }
                        final long now = System.nanoTime();
                        for (final Event event : response.getEventsList()) {
                            final long sentAt = ByteBuffer.wrap(event.getKv().getValue().toByteArray()).getLong();
                            if (sentAt != PacedPuts.UNTIMED) {
                                recorder.recordValue(Math.min(LoadRunner.LATENCY_MAX_NANOS, Math.max(1, now - sentAt)));
                                received.incrementAndGet();
                            }
                            events.countDown();
                        }
                    }

                    @Override
                    public void onError(final Throwable failure) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
            for (int w = 0; w < watchersPerStream; w++) {
                final String watched = distinctKeys ? key + "/" + (s * watchersPerStream + w) : key;
                stream.onNext(WatchRequest.newBuilder().setCreateRequest(
                    WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8(watched))).build());
            }
            requests.add(stream);
        }
        if (!created.await(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("watchers not created within " + SETUP_TIMEOUT_SECONDS + " s");
        }
        // Puts go out asynchronously (at most PUTS_IN_FLIGHT_MAX at once), so the rate is the schedule's,
        // not one put's round trip. They are sent from channel 0's event loop: from any other thread
        // each put would first wake that loop, a client cost that both servers' figures would carry.
        final PacedPuts paced = new PacedPuts(KVGrpc.newStub(putConnections.channels().get(0)),
            putConnections.eventLoop(0), warmupPuts, puts, putRatePerSecond, valueSizeBytes,
            i -> distinctKeys ? key + "/" + (i % watchers) : key);
        paced.start(System.nanoTime());
        if (!paced.sent.await(SEND_TIMEOUT_SECONDS + (long)((warmupPuts + puts) / putRatePerSecond), TimeUnit.SECONDS)) {
            throw new IllegalStateException("the puts were not all sent in time");
        }
        events.await(DRAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        final long elapsed = System.nanoTime() - paced.timedStartNanos;
        if (holdSeconds > 0) {
            System.out.println(label + ": " + watchers + " watchers open for " + holdSeconds + " s");
            TimeUnit.SECONDS.sleep(holdSeconds);
        }
        requests.forEach(StreamObserver::onCompleted);
        final Histogram histogram = recorder.getIntervalHistogram();
        final long missing = expectedEvents - received.get();
        return new LoadResult(label, histogram, received.get(),
            missing > 0 ? Map.of("MISSING_EVENTS", missing) : Map.of(), elapsed);
    }

    /**
     * Sends put {@code i} at {@code start + i / rate} on the event loop, each timed one carrying its
     * send time in the first 8 bytes of its value; catches up at once when behind schedule.
     */
    private static final class PacedPuts implements Runnable {
        /** In place of a send time: a warm-up put. */
        static final long UNTIMED = Long.MIN_VALUE;
        private final KVGrpc.KVStub kv;
        private final EventLoop eventLoop;
        private final long warmupPuts;
        private final long puts;
        private final double intervalNanos;
        private final byte[] value;
        private final LongFunction<String> keyOf;
        private final AtomicInteger inFlight = new AtomicInteger();
        final CountDownLatch sent = new CountDownLatch(1);
        /** When the first timed put went out (read after {@link #sent}). */
        volatile long timedStartNanos;
        // Only the event loop touches these after start.
        private long start;
        private long next;

        PacedPuts(final KVGrpc.KVStub kv, final EventLoop eventLoop, final long warmupPuts, final long puts,
            final double ratePerSecond, final int valueSizeBytes, final LongFunction<String> keyOf) {
            this.kv = kv;
            this.eventLoop = eventLoop;
            this.warmupPuts = warmupPuts;
            this.puts = puts;
            this.intervalNanos = 1e9 / ratePerSecond;
            this.value = new byte[Math.max(Long.BYTES, valueSizeBytes)];
            this.keyOf = keyOf;
        }

        void start(final long startNanos) {
            this.start = startNanos;
            eventLoop.execute(this);
        }

        @Override
        public void run() {
            while (next < warmupPuts + puts) {
                final long now = System.nanoTime();
                final long due = start + (long)(next * intervalNanos);
                if (due > now) {
                    eventLoop.schedule(this, due - now, TimeUnit.NANOSECONDS);
                    return;
                }
                if (inFlight.get() >= PUTS_IN_FLIGHT_MAX) {
                    eventLoop.schedule(this, FULL_RETRY_NANOS, TimeUnit.NANOSECONDS);
                    return;
                }
                if (next == warmupPuts) {
                    timedStartNanos = System.nanoTime();
                }
                send(keyOf.apply(next), next >= warmupPuts);
                next++;
            }
            sent.countDown();
        }

        private void send(final String key, final boolean timed) {
            ByteBuffer.wrap(value).putLong(timed ? System.nanoTime() : UNTIMED);
            inFlight.incrementAndGet();
            kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFrom(value))
                .build(), new StreamObserver<>() {
                    @Override
                    public void onNext(final PutResponse response) {
                    }

                    @Override
                    public void onError(final Throwable failure) {
                        inFlight.decrementAndGet();
                    }

                    @Override
                    public void onCompleted() {
                        inFlight.decrementAndGet();
                    }
                });
        }
    }
}
