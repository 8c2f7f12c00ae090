package io.cairn.engine.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.cairn.engine.testing.WatchStreamClient;
import io.cairn.etcd.api.etcdserverpb.WatchCreateRequest;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

/** Closing the hub ends every open watch stream with etcd's "server stopped", so shutdown need not wait. */
class WatchStopTest {
    @Test
    void closingEndsOpenStreamsWithServerStopped() throws Exception {
        try (InProcessMember member = InProcessMember.start(WatchHub.Settings.defaults(2 << 20));
            WatchStreamClient watching = WatchStreamClient.open(member.channel);
            WatchStreamClient idle = WatchStreamClient.open(member.channel)) {
            watching.create(WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")));
            assertTrue(watching.take().getCreated());
            idle.requestProgress(); // answered only once the hub knows the stream
            assertEquals(-1, idle.take().getWatchId());
            member.hub.close();
            for (final WatchStreamClient stream : new WatchStreamClient[] {watching, idle}) {
                final Status status = Status.fromThrowable(stream.takeError());
                assertEquals(Status.Code.UNAVAILABLE, status.getCode());
                assertEquals("etcdserver: server stopped", status.getDescription());
            }
        }
    }
}
