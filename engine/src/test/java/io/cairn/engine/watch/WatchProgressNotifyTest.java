package io.cairn.engine.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.cairn.engine.testing.WatchStreamClient;
import io.cairn.etcd.api.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.api.etcdserverpb.WatchResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * etcd's periodic progress notification with a short interval: a watcher that asked for it gets
 * empty responses at the current revision; one that did not ask gets none.
 */
class WatchProgressNotifyTest {
    private static final long INTERVAL_MILLIS = 100;

    @Test
    void onlyWatchersThatAskedGetProgressAtTheCurrentRevision() throws Exception {
        try (InProcessMember member = InProcessMember.start(new WatchHub.Settings(
            WatchHub.DEFAULT_STREAM_QUEUED_BYTES_MAX, 2 << 20, TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS)));
            WatchStreamClient watch = WatchStreamClient.open(member.channel)) {
            watch.create(WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8("quiet")).setWatchId(1));
            watch.create(WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8("p")).setWatchId(2)
                .setProgressNotify(true));
            assertTrue(watch.take().getCreated());
            assertTrue(watch.take().getCreated());
            final long revision = member.put("elsewhere", "x");
            int progress = 0;
            while (progress < 3) {
                final WatchResponse response = watch.take();
                assertEquals(2, response.getWatchId(), "only watcher 2 asked for progress: " + response);
                assertEquals(0, response.getEventsCount());
                assertTrue(response.getHeader().getRevision() >= revision - 1, response.toString());
                if (response.getHeader().getRevision() == revision) {
                    progress++;
                }
            }
            member.put("p", "v");
            WatchResponse response = watch.take();
            while (response.getEventsCount() == 0) {
                response = watch.take(); // a progress notification may precede the event
            }
            assertEquals("p", response.getEvents(0).getKv().getKey().toStringUtf8());
        }
    }
}
