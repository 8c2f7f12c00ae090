package io.cairn.bench.load;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.grpc.Channel;

/** etcd benchmark's {@code range}: the same Range, linearizable ("l") or serializable ("s"). */
public final class RangeWorkload implements Workload {
    private final RangeRequest request;

    public RangeWorkload(final String key, final String rangeEnd, final String consistency) {
        if (!consistency.equals("l") && !consistency.equals("s")) {
            throw new IllegalArgumentException("--consistency must be l or s, got " + consistency);
        }
        this.request = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
            .setRangeEnd(ByteString.copyFromUtf8(rangeEnd)).setSerializable(consistency.equals("s")).build();
    }

    @Override
    public ListenableFuture<?> send(final Channel channel, final long sequence) {
        return KVGrpc.newFutureStub(channel).range(request);
    }
}
