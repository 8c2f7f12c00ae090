package io.cairn.engine.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.cairn.engine.testing.WatchStreamClient;
import io.cairn.etcd.api.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.api.etcdserverpb.WatchResponse;
import io.cairn.etcd.api.mvccpb.Event;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A watcher whose client reads nothing (gRPC manual flow control) while puts go on: the puts all
 * complete, the watcher's stream falls out of sync instead of holding them up, and once the client
 * reads it gets every event exactly once and in revision order, from the store.
 */
class WatchSlowConsumerTest {
    private static final int PUTS = 4_000;
    private static final int VALUE_BYTES = 1_024;
    private static final long STREAM_QUEUED_BYTES_MAX = 64 << 10;

    @Test
    void writesGoOnAndTheSlowWatcherGetsEveryEventOnceItReads() throws Exception {
        try (InProcessMember member = InProcessMember.start(
            new WatchHub.Settings(STREAM_QUEUED_BYTES_MAX, 2 << 20, TimeUnit.MINUTES.toNanos(10)));
            WatchStreamClient slow = WatchStreamClient.openPaused(member.channel);
            WatchStreamClient fast = WatchStreamClient.open(member.channel)) {
            slow.create(WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8("s/"))
                .setRangeEnd(ByteString.copyFromUtf8("s0")).setPrevKv(true));
            fast.create(WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8("s/"))
                .setRangeEnd(ByteString.copyFromUtf8("s0")));
            assertTrue(fast.take().getCreated());
            final long first = member.store.currentRevision() + 1;
            final byte[] value = new byte[VALUE_BYTES];
            for (int i = 0; i < PUTS; i++) {
                ByteBuffer.wrap(value).putInt(i);
                member.put("s/" + (i % 50), value); // join()s: a put that waited on the watcher would hang here
            }
            // A reading watcher on the same store keeps up meanwhile.
            assertEventsInOrder(fast, first, first, PUTS, false);
            assertTrue(member.hub.watchersFellBehind() > 0, "the slow watcher never fell out of sync");

            slow.allow(Integer.MAX_VALUE);
            final WatchResponse created = slow.take();
            assertTrue(created.getCreated());
            // Streams opened together on a new channel race to the connection, so the slow stream's
            // create may reach the hub after the first puts: it starts after its created header.
            final long from = created.getHeader().getRevision() + 1;
            assertTrue(from >= first && from < first + PUTS, created.toString());
            assertEventsInOrder(slow, first, from, PUTS, true);
        }
    }

    /**
     * Takes responses until the events of revisions {@code from} through {@code first + count - 1}
     * have come, in order; {@code first} is the revision of put 0.
     */
    private static void assertEventsInOrder(final WatchStreamClient watch, final long first, final long from,
        final int count, final boolean withPrevious) throws InterruptedException {
        long next = from;
        while (next < first + count) {
            final WatchResponse response = watch.take();
            for (final Event event : response.getEventsList()) {
                assertEquals(next, event.getKv().getModRevision(), "events out of order or missing");
                final int index = (int)(next - first);
                assertEquals("s/" + (index % 50), event.getKv().getKey().toStringUtf8());
                assertEquals(index, event.getKv().getValue().asReadOnlyByteBuffer().getInt());
                if (withPrevious && index >= 50) {
                    assertEquals(index - 50, event.getPrevKv().getValue().asReadOnlyByteBuffer().getInt());
                }
                next++;
            }
        }
        assertEquals(first + count, next, "more events than puts");
    }
}
