package io.cairn.engine.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.cairn.engine.testing.WatchStreamClient;
import io.cairn.etcd.api.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.api.etcdserverpb.WatchResponse;
import org.junit.jupiter.api.Test;

/**
 * Commits with nobody watching do not wake the watch thread (a wake-up per put cost a member that
 * nobody watches about 16 us of CPU per put at one client); a watcher made right after them still
 * starts after the last of them, and the commits after it reach it.
 */
class WatchIdleCommitsTest {
    private static final int PUTS = 300;

    @Test
    void commitsWakeTheThreadOnlyWhileSomethingWatches() throws Exception {
        try (InProcessMember member = InProcessMember.start(WatchHub.Settings.defaults(2 << 20));
            WatchStreamClient stream = WatchStreamClient.open(member.channel)) {
            stream.requestProgress(); // answered once the hub knows the stream; it has no watcher yet
            assertEquals(-1, stream.take().getWatchId());
            final long wakeUpsBefore = member.hub.wakeUps();
            long last = 0;
            for (int i = 0; i < PUTS; i++) {
                last = member.put("idle/" + i, "v");
            }
            assertEquals(wakeUpsBefore, member.hub.wakeUps(), "commits woke the watch thread with nobody watching");

            {
                // Made at once: the thread has not been woken since those puts, and the watcher still
                // starts after the last of them (its created header says so).
                stream.create(WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8("idle/"))
                    .setRangeEnd(ByteString.copyFromUtf8("idle0")));
                final WatchResponse created = stream.take();
                assertTrue(created.getCreated());
                assertEquals(last, created.getHeader().getRevision(), "the watcher starts after the last commit");
                final long next = member.put("idle/next", "v");
                final WatchResponse event = stream.take();
                assertEquals(1, event.getEventsCount(), "only what came after the watcher was made");
                assertEquals(next, event.getEvents(0).getKv().getModRevision());
            }
        }
    }
}
