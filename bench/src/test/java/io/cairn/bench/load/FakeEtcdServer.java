package io.cairn.bench.load;

import io.cairn.etcd.api.etcdserverpb.DeleteRangeRequest;
import io.cairn.etcd.api.etcdserverpb.DeleteRangeResponse;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.PutResponse;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.RangeResponse;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;

/**
 * An etcd KV endpoint on loopback whose answers take a known time: request n (counted from 0 in
 * arrival order) is answered after {@code delayMicros.applyAsLong(n)}, and fails with UNAVAILABLE
 * when n + 1 is a multiple of {@code failEvery}. Lets the load generator's counting and timing be
 * checked against what is known.
 */
final class FakeEtcdServer implements AutoCloseable {
    private final Server server;
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    FakeEtcdServer(final LongUnaryOperator delayMicros, final long failEvery) throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(new KVGrpc.KVImplBase() {
                @Override
                public void put(final PutRequest request, final StreamObserver<PutResponse> observer) {
                    answer(observer, PutResponse.getDefaultInstance());
                }

                @Override
                public void range(final RangeRequest request, final StreamObserver<RangeResponse> observer) {
                    answer(observer, RangeResponse.getDefaultInstance());
                }

                @Override
                public void deleteRange(final DeleteRangeRequest request,
                    final StreamObserver<DeleteRangeResponse> observer) {
                    observer.onNext(DeleteRangeResponse.getDefaultInstance());
                    observer.onCompleted();
                }

                private <T> void answer(final StreamObserver<T> observer, final T response) {
                    final long n = received.getAndIncrement();
                    final boolean fail = failEvery > 0 && (n + 1) % failEvery == 0;
                    if (fail) {
                        failed.incrementAndGet();
                    }
                    timer.schedule(() -> {
                        if (fail) {
                            observer.onError(Status.UNAVAILABLE.withDescription("injected").asRuntimeException());
                        } else {
                            observer.onNext(response);
                            observer.onCompleted();
                        }
                    }, delayMicros.applyAsLong(n), TimeUnit.MICROSECONDS);
                }
            })
            .build().start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getPort();
    }

    long received() {
        return received.get();
    }

    long failed() {
        return failed.get();
    }

    @Override
    public void close() {
        server.shutdownNow();
        timer.shutdownNow();
    }
}
