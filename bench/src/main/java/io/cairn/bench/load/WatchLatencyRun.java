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
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
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

    private WatchLatencyRun() {
    }

    /**
     * With {@code distinctKeys} every watcher watches a key of its own and the puts go round-robin
     * over those keys, so each put is one event (fan-out by key rather than to everyone).
     * {@code holdSeconds} keeps the watchers open after the run, to measure the server's heap.
     */
    public static LoadResult run(final String label, final List<? extends Channel> connections, final int streams,
        final int watchersPerStream, final long puts, final double putRatePerSecond, final int valueSizeBytes,
        final boolean distinctKeys, final long holdSeconds) throws InterruptedException {
        final String key = "cairn-bench/watch-latency";
        final int watchers = streams * watchersPerStream;
        final Recorder recorder = new Recorder(1, LoadRunner.LATENCY_MAX_NANOS, 3);
        final long expectedEvents = distinctKeys ? puts : puts * watchers;
        final CountDownLatch created = new CountDownLatch(streams * watchersPerStream);
        final CountDownLatch events = new CountDownLatch((int)Math.min(expectedEvents, Integer.MAX_VALUE));
        final AtomicLong received = new AtomicLong();
        final List<StreamObserver<WatchRequest>> requests = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            final StreamObserver<WatchRequest> stream = WatchGrpc.newStub(connections.get(s % connections.size()))
                .watch(new StreamObserver<>() {
                    @Override
                    public void onNext(final WatchResponse response) {
                        if (response.getCreated()) {
                            created.countDown();
                        }
                        final long now = System.nanoTime();
                        for (final Event event : response.getEventsList()) {
                            final long sentAt = ByteBuffer.wrap(event.getKv().getValue().toByteArray()).getLong();
                            recorder.recordValue(Math.min(LoadRunner.LATENCY_MAX_NANOS, Math.max(1, now - sentAt)));
                            received.incrementAndGet();
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
        // not one put's round trip.
        final KVGrpc.KVStub kv = KVGrpc.newStub(connections.get(0));
        final Semaphore inFlight = new Semaphore(PUTS_IN_FLIGHT_MAX);
        final long start = System.nanoTime();
        final double intervalNanos = 1e9 / putRatePerSecond;
        final byte[] value = new byte[Math.max(Long.BYTES, valueSizeBytes)];
        for (long i = 0; i < puts; i++) {
            final long due = start + (long)(i * intervalNanos);
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            ByteBuffer.wrap(value).putLong(System.nanoTime());
            final String written = distinctKeys ? key + "/" + (i % watchers) : key;
            inFlight.acquire();
            kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(written)).setValue(ByteString.copyFrom(value))
                .build(), new StreamObserver<>() {
                    @Override
                    public void onNext(final PutResponse response) {
                    }

                    @Override
                    public void onError(final Throwable failure) {
                        inFlight.release();
                    }

                    @Override
                    public void onCompleted() {
                        inFlight.release();
                    }
                });
        }
        events.await(DRAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        final long elapsed = System.nanoTime() - start;
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
}
