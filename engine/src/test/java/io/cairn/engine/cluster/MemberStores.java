package io.cairn.engine.cluster;

import io.cairn.engine.testing.ThreeMembers;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.RangeResponse;
import io.cairn.etcd.api.mvccpb.KeyValue;
import io.grpc.StatusRuntimeException;
import com.google.protobuf.ByteString;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What each member of a cluster holds, read from its own store (serializable reads). */
final class MemberStores {
    private static final int PAGE = 5_000;

    private MemberStores() {
    }

    /**
     * Waits until every member's store is at the same revision (a serializable Range reports
     * the member's own) and it has held for a moment; returns it.
     */
    static long awaitSameRevision(final ThreeMembers cluster, final long withinSeconds) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(withinSeconds);
        long[] last = new long[0];
        int stableChecks = 0;
        while (System.nanoTime() < deadline) {
            final long[] revisions = new long[ThreeMembers.SIZE];
            for (int i = 0; i < ThreeMembers.SIZE; i++) {
                revisions[i] = revision(cluster, i);
            }
            final boolean same = revisions[0] > 0 && revisions[0] == revisions[1] && revisions[1] == revisions[2];
            stableChecks = same && last.length > 0 && last[0] == revisions[0] ? stableChecks + 1 : 0;
            if (stableChecks >= 3) {
                return revisions[0];
            }
            last = revisions;
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new AssertionError("members did not reach the same revision within " + withinSeconds + " s: "
            + Arrays.toString(last));
    }

    /** Member i's current revision from its own store, or -1 when it does not answer. */
    static long revision(final ThreeMembers cluster, final int i) {
        try {
            return KVGrpc.newBlockingStub(cluster.channel(i)).withDeadlineAfter(2, TimeUnit.SECONDS)
                .range(RangeRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8("probe")).setSerializable(true).build())
                .getHeader().getRevision();
        } catch (final StatusRuntimeException notAnswering) {
            return -1;
        }
    }

    /** Key -> mod revision of every key under {@code prefix} in member i's own store at {@code revision}. */
    static Map<String, Long> serializableRange(final ThreeMembers cluster, final int i, final String prefix,
        final long revision) {
        final Map<String, Long> stored = new HashMap<>();
        final ByteString end = ByteString.copyFromUtf8(prefix.substring(0, prefix.length() - 1)
            + (char) (prefix.charAt(prefix.length() - 1) + 1));
        ByteString from = ByteString.copyFromUtf8(prefix);
        while (true) {
            final RangeResponse response = KVGrpc.newBlockingStub(cluster.channel(i)).withDeadlineAfter(30, TimeUnit.SECONDS)
                .range(RangeRequest.newBuilder().setKey(from).setRangeEnd(end)
                    .setRevision(revision).setSerializable(true).setLimit(PAGE).build());
            for (final KeyValue kv : response.getKvsList()) {
                stored.put(kv.getKey().toStringUtf8(), kv.getModRevision());
            }
            if (!response.getMore()) {
                return stored;
            }
            from = response.getKvs(response.getKvsCount() - 1).getKey().concat(ByteString.copyFrom(new byte[] {0}));
        }
    }
}
