package io.cairn.engine.testing;

import io.cairn.etcd.api.etcdserverpb.WatchCancelRequest;
import io.cairn.etcd.api.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.api.etcdserverpb.WatchGrpc;
import io.cairn.etcd.api.etcdserverpb.WatchProgressRequest;
import io.cairn.etcd.api.etcdserverpb.WatchRequest;
import io.cairn.etcd.api.etcdserverpb.WatchResponse;
import io.grpc.Channel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One watch stream as a test drives it: requests go out, responses queue up to be taken in order.
 * With manual flow control the client reads nothing until the test asks for responses, so the
 * server sees a consumer that does not read.
 */
public final class WatchStreamClient implements AutoCloseable {
    public static final long TAKE_TIMEOUT_SECONDS = 20;

    private final LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final StreamObserver<WatchRequest> requests;
    private volatile ClientCallStreamObserver<WatchRequest> call;

    private WatchStreamClient(final Channel channel, final boolean manualFlowControl) {
        this.requests = WatchGrpc.newStub(channel).watch(new ClientResponseObserver<WatchRequest, WatchResponse>() {
            @Override
            public void beforeStart(final ClientCallStreamObserver<WatchRequest> requestStream) {
                call = requestStream;
                if (manualFlowControl) {
                    requestStream.disableAutoRequestWithInitial(0);
                }
            }

            @Override
            public void onNext(final WatchResponse response) {
                received.add(response);
            }

            @Override
            public void onError(final Throwable failure) {
                received.add(failure);
            }

            @Override
            public void onCompleted() {
                received.add(new IllegalStateException("the server ended the watch stream"));
            }
        });
    }

    public static WatchStreamClient open(final Channel channel) {
        return new WatchStreamClient(channel, false);
    }

    /** A stream that receives nothing until {@link #allow} lets responses in. */
    public static WatchStreamClient openPaused(final Channel channel) {
        return new WatchStreamClient(channel, true);
    }

    public void allow(final int responses) {
        call.request(responses);
    }

    public void create(final WatchCreateRequest.Builder request) {
        requests.onNext(WatchRequest.newBuilder().setCreateRequest(request).build());
    }

    public void cancel(final long watchId) {
        requests.onNext(WatchRequest.newBuilder()
            .setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(watchId)).build());
    }

    public void requestProgress() {
        requests.onNext(WatchRequest.newBuilder().setProgressRequest(WatchProgressRequest.getDefaultInstance()).build());
    }

    /** The next response; fails if none comes within the timeout or the stream broke. */
    public WatchResponse take() throws InterruptedException {
        final Object next = received.poll(TAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (next == null) {
            throw new AssertionError("no watch response within " + TAKE_TIMEOUT_SECONDS + " s");
        }
        if (next instanceof Throwable failure) {
            throw new AssertionError("watch stream failed: " + failure, failure);
        }
        return (WatchResponse)next;
    }

    /** How the stream ended: the next thing received must be its error. */
    public Throwable takeError() throws InterruptedException {
        final Object next = received.poll(TAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!(next instanceof Throwable failure)) {
            throw new AssertionError("expected the stream to end, got " + next);
        }
        return failure;
    }

    public List<WatchResponse> take(final int count) throws InterruptedException {
        final List<WatchResponse> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(take());
        }
        return out;
    }

    @Override
    public void close() {
        call.cancel("test done", null);
    }
}
