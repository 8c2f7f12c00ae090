package io.cairn.bench.load;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.RequestOp;
import io.cairn.etcd.api.etcdserverpb.TxnRequest;
import io.grpc.Channel;

/** etcd benchmark's {@code txn-put}: a Txn of {@code opsPerTxn} puts of distinct keys. */
public final class TxnPutWorkload implements Workload {
    private final KeyChooser keys;
    private final ByteString value;
    private final int opsPerTxn;

    public TxnPutWorkload(final KeyChooser keys, final int valueSizeBytes, final int opsPerTxn) {
        if (opsPerTxn < 1) {
            throw new IllegalArgumentException("--txn-ops must be positive");
        }
        this.keys = keys;
        this.value = ByteString.copyFrom(new byte[valueSizeBytes]);
        this.opsPerTxn = opsPerTxn;
    }

    @Override
    public ListenableFuture<?> send(final Channel channel, final long sequence) {
        final TxnRequest.Builder txn = TxnRequest.newBuilder();
        for (int i = 0; i < opsPerTxn; i++) {
            txn.addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
                .setKey(keys.key(sequence * opsPerTxn + i)).setValue(value)));
        }
        return KVGrpc.newFutureStub(channel).txn(txn.build());
    }
}
