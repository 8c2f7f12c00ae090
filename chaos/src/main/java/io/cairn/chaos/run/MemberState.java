package io.cairn.chaos.run;

import com.google.protobuf.ByteString;
import io.cairn.chaos.cluster.LabCluster;
import io.cairn.etcd.api.etcdserverpb.HashKVRequest;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.MaintenanceGrpc;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.RangeResponse;
import io.cairn.etcd.api.mvccpb.KeyValue;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One member's keys at the end of a run, read locally (serializable) once the cluster is quiet,
 * with its revision and its KV hash at that revision.
 *
 * @param values key -> value and mod revision
 */
public record MemberState(int member, long revision, Map<String, Versioned> values, long hash) {
    public record Versioned(String value, long modRevision) {
    }

    private static final long DEADLINE_MILLIS = 5_000;

    public static MemberState read(final LabCluster cluster, final int member, final String prefix)
        throws IOException {
        final byte[] end = prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        end[end.length - 1]++;
        try {
            final RangeResponse range = KVGrpc.newBlockingStub(cluster.channel(member))
                .withDeadlineAfter(DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
                .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(prefix))
                    .setRangeEnd(ByteString.copyFrom(end)).setSerializable(true).build());
            final Map<String, Versioned> values = new TreeMap<>();
            for (final KeyValue kv : range.getKvsList()) {
                values.put(kv.getKey().toStringUtf8(), new Versioned(kv.getValue().toStringUtf8(), kv.getModRevision()));
            }
            final long revision = range.getHeader().getRevision();
            final long hash = MaintenanceGrpc.newBlockingStub(cluster.channel(member))
                .withDeadlineAfter(DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
                .hashKV(HashKVRequest.newBuilder().setRevision(revision).build()).getHash();
            return new MemberState(member, revision, values, hash);
        } catch (final StatusRuntimeException e) {
            throw new IOException("m" + member + " did not answer its final reads: " + e, e);
        }
    }
}
