package io.cairn.bench.load;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Channel;

/** One kind of request, sent asynchronously; the runner times it and counts its outcome. */
public interface Workload {
    /** Sends request number {@code sequence} (0-based) on {@code channel}. */
    ListenableFuture<?> send(Channel channel, long sequence);
}
