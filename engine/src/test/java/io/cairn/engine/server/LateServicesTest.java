package io.cairn.engine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.RangeResponse;
import io.cairn.etcd.api.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.api.etcdserverpb.WatchGrpc;
import io.cairn.etcd.api.etcdserverpb.WatchRequest;
import io.cairn.etcd.api.etcdserverpb.WatchResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Calls that come before a port's services exist: they wait, start once served, and keep what
 * came before (a stream's messages, its end); a cancelled one never reaches the service.
 */
class LateServicesTest {
    private static final long WAIT_SECONDS = 10;

    private final LateServices services = new LateServices(List.of(KVGrpc.getServiceDescriptor(),
        WatchGrpc.getServiceDescriptor()));
    private final AtomicInteger ranges = new AtomicInteger();
    private final List<String> watchEvents = new CopyOnWriteArrayList<>();
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws IOException {
        final String name = "late-services-" + System.nanoTime();
        server = InProcessServerBuilder.forName(name).directExecutor().fallbackHandlerRegistry(services).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.shutdownNow();
    }

    @Test
    void aCallBeforeTheServicesWaitsAndIsAnsweredOnceServed() throws Exception {
        final ListenableFuture<RangeResponse> range = KVGrpc.newFutureStub(channel)
            .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build());
        awaitWaitingCalls(1);
        assertFalse(range.isDone());

        services.serve(List.of(new CountingKv().bindService()));

        assertEquals(7, range.get(WAIT_SECONDS, TimeUnit.SECONDS).getCount());
        assertEquals(1, ranges.get());
        assertEquals(0, services.waitingCalls());
        // and a call after the start goes straight through
        assertEquals(7, KVGrpc.newBlockingStub(channel).range(RangeRequest.getDefaultInstance()).getCount());
    }

    @Test
    void aStreamKeepsWhatItSentWhileWaiting() throws Exception {
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        final StreamObserver<WatchRequest> requests = WatchGrpc.newStub(channel).watch(answers(ended));
        requests.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8("a")).setWatchId(5)).build());
        requests.onCompleted();
        awaitWaitingCalls(1);

        services.serve(List.of(new EchoWatch().bindService()));

        ended.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(List.of("request 5", "answer 5", "end"), watchEvents);
    }

    @Test
    void aStreamEndedWithoutMessagesBeforeTheServicesEndsAtTheService() throws Exception {
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        WatchGrpc.newStub(channel).watch(answers(ended)).onCompleted();
        awaitWaitingCalls(1);

        services.serve(List.of(new EchoWatch().bindService()));

        ended.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(List.of("end"), watchEvents);
    }

    @Test
    void aCallCancelledWhileWaitingNeverReachesTheService() throws Exception {
        final ListenableFuture<RangeResponse> range = KVGrpc.newFutureStub(channel).range(RangeRequest.getDefaultInstance());
        awaitWaitingCalls(1);
        range.cancel(true);
        awaitWaitingCalls(0);

        services.serve(List.of(new CountingKv().bindService()));

        assertEquals(0, ranges.get());
    }

    @Test
    void aCallToAServiceNamedButNotServedIsUnimplemented() throws Exception {
        final ListenableFuture<RangeResponse> range = KVGrpc.newFutureStub(channel).range(RangeRequest.getDefaultInstance());
        awaitWaitingCalls(1);

        services.serve(List.of(new EchoWatch().bindService()));

        final ExecutionException failed = assertThrows(ExecutionException.class,
            () -> range.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(Status.Code.UNIMPLEMENTED, Status.fromThrowable(failed.getCause()).getCode());
        assertEquals(0, services.waitingCalls());
    }

    @Test
    void aServiceNotNamedUpFrontIsRefused() {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> services.serve(List.of(new LeaseGrpc.LeaseImplBase() { }.bindService())));
        assertTrue(refused.getMessage().contains("etcdserverpb.Lease/"), refused.getMessage());
    }

    /** The client's side of a watch stream: its answers go to the events, its end to {@code ended}. */
    private StreamObserver<WatchResponse> answers(final CompletableFuture<Void> ended) {
        return new StreamObserver<>() {
            @Override
            public void onNext(final WatchResponse response) {
                watchEvents.add("answer " + response.getWatchId());
            }

            @Override
            public void onError(final Throwable t) {
                ended.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                ended.complete(null);
            }
        };
    }

    private void awaitWaitingCalls(final int count) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (services.waitingCalls() != count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waiting calls: " + services.waitingCalls() + ", expected " + count);
            }
            Thread.sleep(1);
        }
    }

    private final class CountingKv extends KVGrpc.KVImplBase {
        @Override
        public void range(final RangeRequest request, final StreamObserver<RangeResponse> response) {
            ranges.incrementAndGet();
            response.onNext(RangeResponse.newBuilder().setCount(7).build());
            response.onCompleted();
        }
    }

    private final class EchoWatch extends WatchGrpc.WatchImplBase {
        @Override
        public StreamObserver<WatchRequest> watch(final StreamObserver<WatchResponse> responses) {
            return new StreamObserver<>() {
                @Override
                public void onNext(final WatchRequest request) {
                    watchEvents.add("request " + request.getCreateRequest().getWatchId());
                    responses.onNext(WatchResponse.newBuilder().setWatchId(request.getCreateRequest().getWatchId())
                        .build());
                }

                @Override
                public void onError(final Throwable t) {
                    watchEvents.add("error");
                }

                @Override
                public void onCompleted() {
                    watchEvents.add("end");
                    responses.onCompleted();
                }
            };
        }
    }
}
