package io.cairn.chaos.workload;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.etcd.api.etcdserverpb.LeaseTimeToLiveResponse;
import org.junit.jupiter.api.Test;

/** What counts as a lease gone, in TimeToLive's answers as etcd gives them. */
class LeaseClientTest {
    @Test
    void goneIsNotFoundNotARemainingTimeRoundedToMinusOne() {
        assertTrue(LeaseClient.notFound(LeaseTimeToLiveResponse.newBuilder().setID(7).setTTL(-1).build()));
        // etcd: time ran out 1.4 s ago, the revoke is not applied yet, the keys are still there.
        assertFalse(LeaseClient.notFound(LeaseTimeToLiveResponse.newBuilder().setID(7).setTTL(-1).setGrantedTTL(3)
            .build()));
        assertFalse(LeaseClient.notFound(LeaseTimeToLiveResponse.newBuilder().setID(7).setTTL(2).setGrantedTTL(3)
            .build()));
    }
}
