package io.cairn.bench.load;

import io.cairn.etcd.api.etcdserverpb.LeaseGrantRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseKeepAliveRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseKeepAliveResponse;
import io.cairn.etcd.api.etcdserverpb.LeaseRevokeRequest;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * etcd benchmark's {@code lease-keepalive}: {@code clients} leases, each renewed over its own
 * keep-alive stream, one renewal in flight per stream, {@code total} renewals timed in all.
 */
public final class LeaseKeepAliveRun {
    private static final long LEASE_TTL_SECONDS = 60;
    private static final long RUN_TIMEOUT_MINUTES = 30;

    private LeaseKeepAliveRun() {
    }

    public static LoadResult run(final String label, final List<? extends Channel> connections, final int clients,
        final long total) throws InterruptedException {
        final Recorder recorder = new Recorder(1, LoadRunner.LATENCY_MAX_NANOS, 3);
        final AtomicLong issued = new AtomicLong();
        final AtomicLong succeeded = new AtomicLong();
        final Map<String, Long> errors = new ConcurrentHashMap<>();
        final CountDownLatch finished = new CountDownLatch(clients);
        final List<Long> leases = new ArrayList<>();
        final long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            final Channel channel = connections.get(c % connections.size());
            final long lease = LeaseGrpc.newBlockingStub(channel)
                .leaseGrant(LeaseGrantRequest.newBuilder().setTTL(LEASE_TTL_SECONDS).build()).getID();
            leases.add(lease);
            final LeaseKeepAliveRequest renew = LeaseKeepAliveRequest.newBuilder().setID(lease).build();
            final long[] sentAt = new long[1];
            final StreamObserver<LeaseKeepAliveRequest>[] stream = newStreamHolder();
            stream[0] = LeaseGrpc.newStub(channel).leaseKeepAlive(new StreamObserver<>() {
                @Override
                public void onNext(final LeaseKeepAliveResponse response) {
                    recorder.recordValue(Math.min(LoadRunner.LATENCY_MAX_NANOS, System.nanoTime() - sentAt[0]));
                    succeeded.incrementAndGet();
                    sendNext();
                }

                @Override
                public void onError(final Throwable failure) {
                    errors.merge(Status.fromThrowable(failure).getCode().name(), 1L, Long::sum);
                    finished.countDown();
                }

                @Override
                public void onCompleted() {
                    finished.countDown();
                }

                private void sendNext() {
                    if (issued.incrementAndGet() > total) {
                        stream[0].onCompleted();
                        return;
                    }
                    sentAt[0] = System.nanoTime();
                    stream[0].onNext(renew);
                }
            });
            if (issued.incrementAndGet() <= total) {
                sentAt[0] = System.nanoTime();
                stream[0].onNext(renew);
            } else {
                stream[0].onCompleted();
            }
        }
        if (!finished.await(RUN_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            throw new IllegalStateException("keep-alive streams still open after " + RUN_TIMEOUT_MINUTES + " min");
        }
        final long elapsed = System.nanoTime() - start;
        for (int c = 0; c < leases.size(); c++) {
            LeaseGrpc.newBlockingStub(connections.get(c % connections.size()))
                .leaseRevoke(LeaseRevokeRequest.newBuilder().setID(leases.get(c)).build());
        }
        return new LoadResult(label, recorder.getIntervalHistogram(), succeeded.get(), errors, elapsed);
    }

    @SuppressWarnings("unchecked")
    private static StreamObserver<LeaseKeepAliveRequest>[] newStreamHolder() {
        return (StreamObserver<LeaseKeepAliveRequest>[])new StreamObserver<?>[1];
    }
}
