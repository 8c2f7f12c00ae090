package io.cairn.chaos.run;

import com.google.protobuf.ByteString;
import io.cairn.chaos.check.FinalState;
import io.cairn.chaos.check.Stored;
import io.cairn.chaos.cluster.LabCluster;
import io.cairn.chaos.workload.Records;
import io.cairn.etcd.api.etcdserverpb.HashKVRequest;
import io.cairn.etcd.api.etcdserverpb.HashKVResponse;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.MaintenanceGrpc;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.RangeResponse;
import io.cairn.etcd.api.mvccpb.KeyValue;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A member's keys under the workload's prefix at the end of a run, read locally (serializable) once
 * the cluster is quiet, with its revision and its KV hash at that revision.
 */
final class FinalStates {
    private static final long DEADLINE_MILLIS = 5_000;

    private FinalStates() {
    }

    static FinalState read(final LabCluster cluster, final int member, final String prefix) throws IOException {
        final byte[] end = prefix.getBytes(StandardCharsets.UTF_8);
        end[end.length - 1]++;
        try {
            final RangeResponse range = KVGrpc.newBlockingStub(cluster.channel(member))
                .withDeadlineAfter(DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
                .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(prefix))
                    .setRangeEnd(ByteString.copyFrom(end)).setSerializable(true).build());
            final Map<String, Stored> keys = new TreeMap<>();
            for (final KeyValue kv : range.getKvsList()) {
                keys.put(kv.getKey().toStringUtf8(), new Stored(kv.getValue().toStringUtf8(), kv.getModRevision()));
            }
            final long revision = range.getHeader().getRevision();
            final HashKVResponse hash = MaintenanceGrpc.newBlockingStub(cluster.channel(member))
                .withDeadlineAfter(DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
                .hashKV(HashKVRequest.newBuilder().setRevision(revision).build());
            return new FinalState(Records.memberName(member), revision, keys,
                new FinalState.HashKv(revision, hash.getCompactRevision(), hash.getHash()));
        } catch (final StatusRuntimeException e) {
            throw new IOException("m" + member + " did not answer its final reads: " + e, e);
        }
    }
}
