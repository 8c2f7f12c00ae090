package io.cairn.engine.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.cairn.engine.testing.Await;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseGrantRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Many leases expire while writers keep putting: every leased key goes, each lease's keys in one
 * revision, the leases are gone, every acknowledged put is there, and the writers kept being
 * answered while the leases expired.
 */
class LeaseExpiryUnderLoadIT {
    private static final int LEASES = 100;
    private static final int KEYS_PER_LEASE = 3;
    private static final int WRITERS = 4;
    private static final long AWAIT_SECONDS = 60;

    @Test
    void expiredLeasesTakeTheirKeysInOneRevisionEachWhileWritesContinue() throws Exception {
        try (ServerProcess server = ServerProcess.start(ServerProcess.Kind.CAIRN, ServerProcess.freePort(),
            ServerProcess.freePort())) {
            final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(server.channel());
            final LeaseGrpc.LeaseBlockingStub leases = LeaseGrpc.newBlockingStub(server.channel());
            final AtomicBoolean stop = new AtomicBoolean();
            final ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
            final List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                final int writer = w;
                writers.add(Thread.ofPlatform().start(() -> {
                    for (long i = 0; !stop.get(); i++) {
                        final String key = "load/" + writer + "/" + i;
                        kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(key)).build());
                        acknowledged.add(key);
                    }
                }));
            }
            final List<Long> ids = new ArrayList<>();
            // The revision at which each lease's keys are all written (early leases may expire before
            // the last ones are granted).
            final List<Long> allWritten = new ArrayList<>();
            for (int l = 0; l < LEASES; l++) {
                final long id = leases.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(2).build()).getID();
                ids.add(id);
                long revision = 0;
                for (int k = 0; k < KEYS_PER_LEASE; k++) {
                    revision = kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(leasedKey(l, k)))
                        .setValue(ByteString.copyFromUtf8("v")).setLease(id).build()).getHeader().getRevision();
                }
                allWritten.add(revision);
            }
            final int putsBeforeExpiry = acknowledged.size();

            Await.until(() -> kv.range(RangeRequest.newBuilder().setKey(bytes("leased/")).setRangeEnd(bytes("leased0"))
                .setCountOnly(true).build()).getCount() == 0, AWAIT_SECONDS, "every leased key to expire");
            final int putsDuringExpiry = acknowledged.size() - putsBeforeExpiry;
            stop.set(true);
            for (final Thread writer : writers) {
                writer.join();
            }
            assertTrue(putsDuringExpiry > 0, "no put was answered while the leases expired");

            final long now = kv.range(RangeRequest.newBuilder().setKey(bytes("x")).build()).getHeader().getRevision();
            final Set<Long> deletionRevisions = new HashSet<>();
            for (int l = 0; l < LEASES; l++) {
                final long deletedAt = deletionRevision(kv, leasedKey(l, 0), allWritten.get(l), now);
                for (int k = 1; k < KEYS_PER_LEASE; k++) {
                    assertEquals(deletedAt, deletionRevision(kv, leasedKey(l, k), allWritten.get(l), now),
                        "lease " + l + ": its keys went in different revisions");
                }
                deletionRevisions.add(deletedAt);
                assertEquals(-1, leases.leaseTimeToLive(io.cairn.etcd.api.etcdserverpb.LeaseTimeToLiveRequest
                    .newBuilder().setID(ids.get(l)).build()).getTTL());
            }
            assertEquals(LEASES, deletionRevisions.size(), "each expiry is a revision of its own");
            for (final String key : acknowledged) {
                assertEquals(1, kv.range(RangeRequest.newBuilder().setKey(bytes(key)).build()).getCount(), key);
            }
        }
    }

    /** The first revision in (from, to] at which {@code key} no longer exists. */
    private static long deletionRevision(final KVGrpc.KVBlockingStub kv, final String key, final long from,
        final long to) {
        long present = from;
        long absent = to;
        while (absent - present > 1) {
            final long middle = present + (absent - present) / 2;
            final boolean exists = kv.range(RangeRequest.newBuilder().setKey(bytes(key)).setRevision(middle)
                .setCountOnly(true).build()).getCount() > 0;
            if (exists) {
                present = middle;
            } else {
                absent = middle;
            }
        }
        return absent;
    }

    private static String leasedKey(final int lease, final int key) {
        return "leased/" + lease + "/" + key;
    }

    private static ByteString bytes(final String text) {
        return ByteString.copyFromUtf8(text);
    }
}
