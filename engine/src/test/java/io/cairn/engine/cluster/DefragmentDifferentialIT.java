package io.cairn.engine.cluster;

import com.google.protobuf.ByteString;
import io.cairn.engine.testing.Etcdctl;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.SideBySide;
import io.cairn.engine.testing.ThreeMembers;
import io.cairn.etcd.api.etcdserverpb.CompactionRequest;
import io.cairn.etcd.api.etcdserverpb.DeleteRangeRequest;
import io.cairn.etcd.api.etcdserverpb.HashKVRequest;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.MaintenanceGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.RangeResponse;
import io.cairn.etcd.api.etcdserverpb.RequestOp;
import io.cairn.etcd.api.etcdserverpb.StatusResponse;
import io.cairn.etcd.api.etcdserverpb.TxnRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code etcdctl defrag} and {@code defrag --cluster} against a three-member etcd and a three-member
 * Cairn, with a writer putting keys all through: the same output, every member's file smaller
 * afterwards, the same keys and values, equal HashKV on all members, and every acknowledged write
 * present. (etcd holds the writer back while it defragments; Cairn lets it go on.)
 */
class DefragmentDifferentialIT {
    private static final int KEYS = 3_000;
    private static final int VALUE_BYTES = 1_024;
    private static final int PUTS_PER_TXN = 100;

    @RegisterExtension
    final ThreeMembers.Logs logs = new ThreeMembers.Logs();

    @Test
    void defragPrintsTheSameAndShrinksEveryMemberWhileWritesGoOn() throws Exception {
        final ThreeMembers.Ports ports = ThreeMembers.Ports.free();
        SideBySide.assertSame(kind -> session(kind, ports), i -> "output " + i).forEach(System.out::println);
    }

    private List<String> session(final ServerProcess.Kind kind, final ThreeMembers.Ports ports) throws Exception {
        try (ThreeMembers cluster = ThreeMembers.start(kind, ports, logs)) {
            final List<String> outputs = new ArrayList<>();
            final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(cluster.channel(0)).withDeadlineAfter(120, TimeUnit.SECONDS);
            // Garbage to reclaim: every key written twice, most deleted, history compacted away.
            final ByteString value = ByteString.copyFrom(new byte[VALUE_BYTES]);
            for (int round = 0; round < 2; round++) {
                for (int first = 0; first < KEYS; first += PUTS_PER_TXN) {
                    final TxnRequest.Builder txn = TxnRequest.newBuilder();
                    for (int i = first; i < first + PUTS_PER_TXN; i++) {
                        txn.addSuccess(RequestOp.newBuilder().setRequestPut(
                            PutRequest.newBuilder().setKey(key("k/", i)).setValue(value)));
                    }
                    kv.txn(txn.build());
                }
            }
            kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(key("k/", 100)).setRangeEnd(bytes("k0")).build());
            final long revision = kv.range(RangeRequest.newBuilder().setKey(bytes("k/")).build()).getHeader().getRevision();
            kv.compact(CompactionRequest.newBuilder().setRevision(revision).setPhysical(true).build());
            final long[] sizesBefore = sizes(cluster);
            for (int i = 0; i < 3; i++) {
                final StatusResponse status = cluster.status(i);
                outputs.add("member " + i + " in use below its size before: "
                    + (status.getDbSizeInUse() > 0 && status.getDbSizeInUse() < status.getDbSize()));
            }

            // One member, then the whole cluster, with a writer going on.
            final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicReference<Throwable> writerFailure = new AtomicReference<>();
            final Thread writer = Thread.ofPlatform().start(() -> {
                final KVGrpc.KVBlockingStub writes = KVGrpc.newBlockingStub(cluster.channel(1));
                try {
                    for (int i = 0; !stop.get(); i++) {
                        writes.withDeadlineAfter(60, TimeUnit.SECONDS)
                            .put(PutRequest.newBuilder().setKey(key("w/", i)).setValue(value).build());
                        acknowledged.add(key("w/", i).toStringUtf8());
                    }
                } catch (final Throwable t) {
                    writerFailure.set(t);
                }
            });
            outputs.add(Etcdctl.run(cluster.clientUrl(0), "defrag"));
            outputs.add(Etcdctl.run(cluster.endpoints(), "defrag", "--cluster"));
            stop.set(true);
            writer.join();
            outputs.add("the writer failed: " + writerFailure.get());

            final long[] sizesAfter = sizes(cluster);
            for (int i = 0; i < 3; i++) {
                outputs.add("member " + i + " file smaller: " + (sizesAfter[i] < sizesBefore[i]));
                final StatusResponse status = cluster.status(i);
                outputs.add("member " + i + " in use within its size after: "
                    + (status.getDbSizeInUse() > 0 && status.getDbSizeInUse() <= status.getDbSize()));
            }
            final RangeResponse all = KVGrpc.newBlockingStub(cluster.channel(2)).range(RangeRequest.newBuilder()
                .setKey(bytes("k/")).setRangeEnd(bytes("k0")).build());
            outputs.add("keys left: " + all.getCount() + ", first " + all.getKvs(0).getKey().toStringUtf8()
                + " at create " + (all.getKvs(0).getCreateRevision() > 0) + ", version " + all.getKvs(0).getVersion());
            final Set<String> written = new HashSet<>();
            KVGrpc.newBlockingStub(cluster.channel(2)).range(RangeRequest.newBuilder().setKey(bytes("w/"))
                .setRangeEnd(bytes("w0")).setKeysOnly(true).build()).getKvsList()
                .forEach(k -> written.add(k.getKey().toStringUtf8()));
            outputs.add("every acknowledged write is there: " + (!acknowledged.isEmpty() && written.containsAll(acknowledged)));
            outputs.add("HashKV equal on every member: " + hashKvsEqual(cluster));
            return outputs;
        }
    }

    private static long[] sizes(final ThreeMembers cluster) {
        final long[] sizes = new long[3];
        for (int i = 0; i < 3; i++) {
            sizes[i] = cluster.status(i).getDbSize();
        }
        return sizes;
    }

    /** HashKV at one revision on every member (a revision every member has applied). */
    private static boolean hashKvsEqual(final ThreeMembers cluster) {
        final long revision = cluster.status(0).getHeader().getRevision();
        Set<Integer> hashes = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            hashes.add(MaintenanceGrpc.newBlockingStub(cluster.channel(i)).withDeadlineAfter(30, TimeUnit.SECONDS)
                .hashKV(HashKVRequest.newBuilder().setRevision(revision).build()).getHash());
        }
        return hashes.size() == 1;
    }

    private static ByteString key(final String prefix, final int i) {
        return bytes(prefix + String.format("%05d", i));
    }

    private static ByteString bytes(final String s) {
        return ByteString.copyFrom(s, StandardCharsets.UTF_8);
    }
}
