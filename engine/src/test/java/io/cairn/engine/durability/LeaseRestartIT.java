package io.cairn.engine.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.cairn.engine.testing.Await;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseGrantRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Leases across kill -9: a lease's remaining TTL is resumed from its last checkpoint instead of
 * starting over, and a lease granted just before the kill still expires and takes its keys.
 */
class LeaseRestartIT {
    private static final long TTL_SECONDS = 60;
    private static final long AWAIT_SECONDS = 30;

    @Test
    void remainingTtlSurvivesKillAndExpiredLeasesStillDeleteTheirKeys() throws Exception {
        final Path dataDir = Files.createTempDirectory("cairn-lease-kill");
        final int clientPort = ServerProcess.freePort();
        final int peerPort = ServerProcess.freePort();
        final String[] flags = {"--experimental-lease-checkpoint-interval", "200ms"};
        try {
            final long longLease;
            final long shortLease;
            final ServerProcess first = ServerProcess.start(ServerProcess.Kind.CAIRN, clientPort, peerPort, dataDir, flags);
            try {
                final LeaseGrpc.LeaseBlockingStub leases = LeaseGrpc.newBlockingStub(first.channel());
                longLease = leases.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(TTL_SECONDS).build()).getID();
                // Wait until the lease has aged by seconds, with checkpoints every 200 ms meanwhile.
                Await.until(() -> timeToLive(leases, longLease).getTTL() <= TTL_SECONDS - 4, AWAIT_SECONDS, "lease aging");
                shortLease = leases.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(3).build()).getID();
                KVGrpc.newBlockingStub(first.channel()).put(PutRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8("ephemeral")).setValue(ByteString.copyFromUtf8("v"))
                    .setLease(shortLease).build());
            } finally {
                first.kill();
            }
            try (ServerProcess second = ServerProcess.start(ServerProcess.Kind.CAIRN, clientPort, peerPort, dataDir,
                flags)) {
                final LeaseGrpc.LeaseBlockingStub leases = LeaseGrpc.newBlockingStub(second.channel());
                final LeaseTimeToLiveResponse resumed = timeToLive(leases, longLease);
                assertEquals(TTL_SECONDS, resumed.getGrantedTTL());
                assertTrue(resumed.getTTL() > 0 && resumed.getTTL() <= TTL_SECONDS - 3,
                    "remaining TTL after restart: " + resumed.getTTL() + " s; a reset lease would show "
                        + (TTL_SECONDS - 1));
                final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(second.channel());
                Await.until(() -> kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("ephemeral")).build())
                    .getCount() == 0, AWAIT_SECONDS, "the short lease's key to expire");
                assertEquals(-1, timeToLive(leases, shortLease).getTTL());
            }
        } finally {
            ServerProcess.deleteRecursively(dataDir);
        }
    }

    private static LeaseTimeToLiveResponse timeToLive(final LeaseGrpc.LeaseBlockingStub leases, final long id) {
        return leases.leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(id).build());
    }

}
