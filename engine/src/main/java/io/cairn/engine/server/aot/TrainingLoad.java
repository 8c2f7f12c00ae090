package io.cairn.engine.server.aot;

import com.google.protobuf.ByteString;
import io.cairn.etcd.api.etcdserverpb.CompactionRequest;
import io.cairn.etcd.api.etcdserverpb.Compare;
import io.cairn.etcd.api.etcdserverpb.DeleteRangeRequest;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseGrantRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseKeepAliveRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseKeepAliveResponse;
import io.cairn.etcd.api.etcdserverpb.LeaseRevokeRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.cairn.etcd.api.etcdserverpb.MaintenanceGrpc;
import io.cairn.etcd.api.etcdserverpb.MemberListRequest;
import io.cairn.etcd.api.etcdserverpb.ClusterGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.RequestOp;
import io.cairn.etcd.api.etcdserverpb.StatusRequest;
import io.cairn.etcd.api.etcdserverpb.TxnRequest;
import io.cairn.etcd.api.etcdserverpb.WatchCancelRequest;
import io.cairn.etcd.api.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.api.etcdserverpb.WatchGrpc;
import io.cairn.etcd.api.etcdserverpb.WatchRequest;
import io.cairn.etcd.api.etcdserverpb.WatchResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The requests a training member sees (see {@link AotTraining}): what clients, etcdctl and
 * Kubernetes send most, in the counts that make the JIT compile their paths and record their
 * profiles. Puts with one request in flight and with many, point and prefix reads (linearizable and
 * serializable), transactions that succeed and fail, deletes, watches with their events, leases
 * with keep-alives, a compaction, status and member list, /health and /metrics; over plain http and
 * over TLS. Every answer is checked only for arriving: a training run that fails says so.
 */
final class TrainingLoad implements AutoCloseable {
    private static final int VALUE_BYTES = 256;
    private static final int IN_FLIGHT = 64;

    private final URI http;
    private final ManagedChannel plain;
    private final ManagedChannel tls;
    private final ByteString value = ByteString.copyFrom(new byte[VALUE_BYTES]);

    /** The https channel uses the JDK's TLS engine, as the member does (and as its peers' clients do). */
    TrainingLoad(final URI http, final URI https) throws IOException {
        this.http = http;
        this.plain = NettyChannelBuilder.forAddress(http.getHost(), http.getPort()).usePlaintext().build();
        this.tls = NettyChannelBuilder.forAddress(https.getHost(), https.getPort())
            .sslContext(GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK)
                .trustManager(InsecureTrustManagerFactory.INSTANCE).build())
            .build();
    }

    /** Until the member answers a linearizable read (it has elected itself and applied its entries). */
    void awaitReady(final Duration wait) throws InterruptedException {
        final long deadlineNanos = System.nanoTime() + wait.toNanos();
        while (true) {
            try {
                KVGrpc.newBlockingStub(plain).withDeadlineAfter(1, TimeUnit.SECONDS)
                    .range(RangeRequest.newBuilder().setKey(key("ready", 0)).build());
                return;
            } catch (final RuntimeException notYet) {
                if (System.nanoTime() > deadlineNanos) {
                    throw new IllegalStateException("the training member did not answer within " + wait.toSeconds()
                        + " s", notYet);
                }
                Thread.sleep(100);
            }
        }
    }

    /**
     * Enough records that a restart's recovery loops are compiled and profiled, few enough that the
     * recorded member's tree stays small: seeded with 60,000, fresh members started with the cache
     * were slower at their first puts (p50 0.80-0.85 against 0.71-0.78 ms, three pairs).
     */
    static final int SEED_PUTS = 5_000;

    /** Puts alone, {@link #SEED_PUTS} of them, for the seeding member. */
    void seed() throws InterruptedException {
        final KVGrpc.KVStub async = KVGrpc.newStub(plain);
        inFlight(SEED_PUTS, (i, answers) -> async.put(PutRequest.newBuilder().setKey(key("seed/", i)).setValue(value)
            .build(), answers.next()));
    }

    void run() throws InterruptedException, IOException {
        for (final ManagedChannel channel : List.of(plain, tls)) {
            final String prefix = channel == plain ? "plain/" : "tls/";
            keyValue(channel, prefix);
            watches(channel, prefix + "watched/");
            leases(channel, prefix + "leased/");
        }
        final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(plain);
        final long revision = kv.range(RangeRequest.newBuilder().setKey(key("ready", 0)).build()).getHeader()
            .getRevision();
        kv.compact(CompactionRequest.newBuilder().setRevision(revision / 2).setPhysical(true).build());
        MaintenanceGrpc.newBlockingStub(plain).status(StatusRequest.getDefaultInstance());
        ClusterGrpc.newBlockingStub(plain).memberList(MemberListRequest.getDefaultInstance());
        try (HttpClient client = HttpClient.newHttpClient()) {
            for (final String path : List.of("/health", "/metrics", "/version")) {
                for (int i = 0; i < 20; i++) {
                    client.send(HttpRequest.newBuilder(http.resolve(path)).build(), HttpResponse.BodyHandlers.discarding());
                }
            }
        }
    }

    private void keyValue(final ManagedChannel channel, final String prefix) throws InterruptedException {
        final KVGrpc.KVBlockingStub blocking = KVGrpc.newBlockingStub(channel);
        final KVGrpc.KVStub async = KVGrpc.newStub(channel);
        for (int i = 0; i < 3_000; i++) {
            blocking.put(PutRequest.newBuilder().setKey(key(prefix, i)).setValue(value).build());
        }
        inFlight(30_000, (i, answers) -> async.put(PutRequest.newBuilder().setKey(key(prefix, i % 10_000)).setValue(value)
            .setPrevKv(i % 10 == 0).build(), answers.next()));
        inFlight(6_000, (i, answers) -> async.range(RangeRequest.newBuilder().setKey(key(prefix, i % 10_000))
            .setSerializable(i % 3 == 0).build(), answers.next()));
        inFlight(300, (i, answers) -> async.range(RangeRequest.newBuilder().setKey(key(prefix, 0)).setRangeEnd(prefixEnd(prefix))
            .setLimit(i % 2 == 0 ? 100 : 0).setKeysOnly(i % 3 == 0).setCountOnly(i % 5 == 0).build(), answers.next()));
        inFlight(3_000, (i, answers) -> async.txn(TxnRequest.newBuilder()
            .addCompare(Compare.newBuilder().setKey(key(prefix, i % 10_000)).setTarget(Compare.CompareTarget.VERSION)
                .setResult(i % 4 == 0 ? Compare.CompareResult.EQUAL : Compare.CompareResult.GREATER).setVersion(0))
            .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key(prefix, i % 10_000))
                .setValue(value)))
            .addFailure(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(key(prefix, i % 10_000))))
            .build(), answers.next()));
        inFlight(2_000, (i, answers) -> async.deleteRange(DeleteRangeRequest.newBuilder().setKey(key(prefix, i))
            .setPrevKv(i % 2 == 0).build(), answers.next()));
        blocking.deleteRange(DeleteRangeRequest.newBuilder().setKey(key(prefix, 5_000)).setRangeEnd(key(prefix, 6_000))
            .build());
    }

    /** Watchers on a prefix receive the events of a few thousand puts; then they are cancelled. */
    private void watches(final ManagedChannel channel, final String prefix) throws InterruptedException {
        final int watchers = 50;
        final int puts = 2_000;
        final CountDownLatch events = new CountDownLatch(watchers * puts);
        final CountDownLatch created = new CountDownLatch(watchers);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Long> watchIds = new ArrayList<>();
        final StreamObserver<WatchRequest> requests = WatchGrpc.newStub(channel).watch(new StreamObserver<>() {
            @Override
            public void onNext(final WatchResponse response) {
                if (response.getCreated()) {
                    synchronized (watchIds) {
                        watchIds.add(response.getWatchId());
                    }
                    created.countDown();
                }
                for (int i = 0; i < response.getEventsCount(); i++) {
                    events.countDown();
                }
            }

            @Override
            public void onError(final Throwable t) {
                failure.set(t);
            }

            @Override
            public void onCompleted() {
            }
        });
        synchronized (requests) {
            for (int i = 0; i < watchers; i++) {
                requests.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
                    .setKey(key(prefix, 0)).setRangeEnd(prefixEnd(prefix)).setPrevKv(i % 2 == 0)).build());
            }
        }
        await(created, "watch creation", failure);
        final KVGrpc.KVStub async = KVGrpc.newStub(channel);
        inFlight(puts, (i, answers) -> async.put(PutRequest.newBuilder().setKey(key(prefix, i % 100)).setValue(value).build(),
            answers.next()));
        await(events, "watch events", failure);
        synchronized (watchIds) {
            for (final long id : watchIds) {
                requests.onNext(WatchRequest.newBuilder().setCancelRequest(WatchCancelRequest.newBuilder()
                    .setWatchId(id)).build());
            }
        }
        requests.onCompleted();
    }

    /** Leases granted, renewed over a keep-alive stream, attached to keys, asked about, revoked. */
    private void leases(final ManagedChannel channel, final String prefix) throws InterruptedException {
        final LeaseGrpc.LeaseBlockingStub blocking = LeaseGrpc.newBlockingStub(channel);
        final KVGrpc.KVStub kv = KVGrpc.newStub(channel);
        final List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(blocking.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build()).getID());
        }
        inFlight(1_000, (i, answers) -> kv.put(PutRequest.newBuilder().setKey(key(prefix, i)).setValue(value)
            .setLease(ids.get(i % ids.size())).build(), answers.next()));
        final int renewals = 2_000;
        final CountDownLatch renewed = new CountDownLatch(renewals);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final StreamObserver<LeaseKeepAliveRequest> keepAlive = LeaseGrpc.newStub(channel).leaseKeepAlive(
            new StreamObserver<>() {
                @Override
                public void onNext(final LeaseKeepAliveResponse response) {
                    renewed.countDown();
                }

                @Override
                public void onError(final Throwable t) {
                    failure.set(t);
                }

                @Override
                public void onCompleted() {
                }
            });
        for (int i = 0; i < renewals; i++) {
            keepAlive.onNext(LeaseKeepAliveRequest.newBuilder().setID(ids.get(i % ids.size())).build());
        }
        await(renewed, "lease renewals", failure);
        keepAlive.onCompleted();
        for (final long id : ids) {
            blocking.leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(id).setKeys(true).build());
            blocking.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(id).build());
        }
    }

    /** Sends {@code count} requests with at most {@link #IN_FLIGHT} unanswered, and waits for every answer. */
    private static void inFlight(final int count, final Request request) throws InterruptedException {
        final Answers answers = new Answers(count);
        for (int i = 0; i < count && answers.failure.get() == null; i++) {
            answers.slots.acquire();
            request.send(i, answers);
        }
        await(answers.done, "answers", answers.failure);
    }

    private static void await(final CountDownLatch latch, final String what, final AtomicReference<Throwable> failure)
        throws InterruptedException {
        while (!latch.await(100, TimeUnit.MILLISECONDS)) {
            if (failure.get() != null) {
                throw new IllegalStateException("training: " + what + " failed", failure.get());
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("training: " + what + " failed", failure.get());
        }
    }

    private static ByteString key(final String prefix, final int i) {
        return ByteString.copyFrom(prefix + "%08d".formatted(i), StandardCharsets.US_ASCII);
    }

    private static ByteString prefixEnd(final String prefix) {
        final byte[] end = prefix.getBytes(StandardCharsets.US_ASCII);
        end[end.length - 1]++;
        return ByteString.copyFrom(end);
    }

    /** Closes the channels without waiting: the member is stopped next, whatever they still hold. */
    @Override
    public void close() {
        plain.shutdownNow();
        tls.shutdownNow();
    }

    @FunctionalInterface
    private interface Request {
        /** Sends request number {@code i}, answered to {@code answers.next()}. */
        void send(int i, Answers answers);
    }

    /** The answers of one {@link #inFlight} run: a slot freed and a count taken per answer. */
    private static final class Answers {
        final Semaphore slots = new Semaphore(IN_FLIGHT);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final CountDownLatch done;

        Answers(final int count) {
            this.done = new CountDownLatch(count);
        }

        /** The observer of the next request's answer. */
        <T> StreamObserver<T> next() {
            final AtomicInteger finished = new AtomicInteger();
            final Runnable finish = () -> {
                if (finished.getAndIncrement() == 0) {
                    slots.release();
                    done.countDown();
                }
            };
            return new StreamObserver<>() {
                @Override
                public void onNext(final T answer) {
                }

                @Override
                public void onError(final Throwable t) {
                    failure.compareAndSet(null, t);
                    finish.run();
                }

                @Override
                public void onCompleted() {
                    finish.run();
                }
            };
        }
    }
}
