package io.cairn.engine.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cairn.engine.testing.ServerProcess;
import io.cairn.etcd.api.etcdserverpb.MaintenanceGrpc;
import io.cairn.etcd.api.etcdserverpb.ResponseHeader;
import io.cairn.etcd.api.etcdserverpb.StatusRequest;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ids of a freshly started Debian etcd equal the ones Cairn derives from the same flags. */
class MemberIdsIT {
    @Test
    void sameIdsAsEtcd() throws Exception {
        try (ServerProcess etcd = ServerProcess.start("--initial-cluster-token", "cairn-test-token")) {
            final ResponseHeader header = MaintenanceGrpc.newBlockingStub(etcd.channel())
                .status(StatusRequest.getDefaultInstance()).getHeader();
            final long member = MemberIds.memberId(List.of(URI.create(etcd.peerUrl())), "cairn-test-token");
            assertEquals(header.getMemberId(), member);
            assertEquals(header.getClusterId(), MemberIds.clusterId(List.of(member)));
        }
    }
}
