package io.cairn.bench.load;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.grpc.Channel;

/** etcd benchmark's {@code put}: one key-value put per request. */
public final class PutWorkload implements Workload {
    private final KeyChooser keys;
    private final ByteString value;

    public PutWorkload(final KeyChooser keys, final int valueSizeBytes) {
        this.keys = keys;
        this.value = ByteString.copyFrom(new byte[valueSizeBytes]);
    }

    @Override
    public ListenableFuture<?> send(final Channel channel, final long sequence) {
        return KVGrpc.newFutureStub(channel).put(PutRequest.newBuilder()
            .setKey(keys.key(sequence)).setValue(value).build());
    }
}
