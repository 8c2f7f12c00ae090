package io.cairn.engine.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.google.protobuf.ByteString;
import io.cairn.engine.mvcc.Change;
import io.cairn.engine.mvcc.KeyValue;
import io.cairn.engine.watch.EncodedEvent;
import io.cairn.engine.watch.WatchOp;
import io.cairn.engine.watch.WatchReply;
import io.cairn.etcd.api.etcdserverpb.WatchCancelRequest;
import io.cairn.etcd.api.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.api.etcdserverpb.WatchProgressRequest;
import io.cairn.etcd.api.etcdserverpb.WatchRequest;
import io.cairn.etcd.api.etcdserverpb.WatchResponse;
import io.cairn.etcd.api.mvccpb.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The watch hub sizes responses with {@link WatchProtos}' field-by-field sums and never builds a
 * message to measure it: those sums must be protobuf's serialized sizes exactly, or fragments
 * would split where etcd's do not.
 */
class WatchProtosTest {
    private static final long[] EDGES = {0, 1, 127, 128, 16_383, 16_384, Integer.MAX_VALUE, Long.MAX_VALUE, -1,
        Long.MIN_VALUE};

    @Test
    void sizesAreProtobufsSerializedSizes() {
        final Random random = new Random(11);
        final AtomicLong term = new AtomicLong();
        for (int trial = 0; trial < 2_000; trial++) {
            final WatchProtos protos = new WatchProtos(new ResponseHeaders(number(random), number(random), term::get));
            term.set(number(random));
            final List<EncodedEvent> events = new ArrayList<>();
            for (int i = random.nextInt(4); i > 0; i--) {
                events.add(protos.event(new Change(random.nextBoolean(), keyValue(random)),
                    random.nextBoolean() ? keyValue(random) : null));
            }
            final WatchReply reply = new WatchReply(number(random), number(random), random.nextBoolean(),
                random.nextBoolean(), random.nextInt(3) == 0 ? "" : "x".repeat(random.nextInt(300)), number(random),
                random.nextBoolean(), events);
            final WatchResponse response = protos.response(reply);
            assertEquals(response.getSerializedSize(), protos.bytes(reply), response::toString);
            final WatchResponse empty = response.toBuilder().clearEvents().build();
            assertEquals(empty.getSerializedSize(), protos.envelopeBytes(reply));
            assertEquals(reply.headerRevision(), response.getHeader().getRevision());
            assertEquals(term.get(), response.getHeader().getRaftTerm());
        }
    }

    @Test
    void eventsKeepTheChangeAndItsPreviousVersion() {
        final WatchProtos protos = new WatchProtos(new ResponseHeaders(1, 2, () -> 3));
        final KeyValue previous = new KeyValue(new byte[] {'k'}, 2, 2, 1, 0, new byte[] {'a'});
        final KeyValue deleted = new KeyValue(new byte[] {'k'}, 0, 3, 0, 0, new byte[0]);
        final WatchResponse response = protos.response(new WatchReply(5, 3, false, false, "", 0, false,
            List.of(protos.event(new Change(true, deleted), previous), protos.event(new Change(false, previous), null))));
        assertEquals(Event.EventType.DELETE, response.getEvents(0).getType());
        assertEquals(KvProtos.keyValue(deleted), response.getEvents(0).getKv());
        assertEquals(KvProtos.keyValue(previous), response.getEvents(0).getPrevKv());
        assertEquals(Event.EventType.PUT, response.getEvents(1).getType());
        assertFalse(response.getEvents(1).hasPrevKv());
    }

    @Test
    void requestsBecomeTheHubsOps() {
        final WatchOp create = WatchProtos.op(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8("a")).setRangeEnd(ByteString.copyFromUtf8("b")).setStartRevision(7)
            .setWatchId(9).addFilters(WatchCreateRequest.FilterType.NODELETE).setPrevKv(true).setFragment(true)
            .setProgressNotify(true)).build());
        final WatchOp.Create c = assertInstanceOf(WatchOp.Create.class, create);
        assertArrayEquals(new byte[] {'a'}, c.key());
        assertArrayEquals(new byte[] {'b'}, c.rangeEnd());
        assertEquals(List.of(7L, 9L, false, true, true, true, true),
            List.of(c.startRevision(), c.watchId(), c.noPut(), c.noDelete(), c.prevKv(), c.fragment(), c.progressNotify()));
        assertEquals(new WatchOp.Cancel(4), WatchProtos.op(WatchRequest.newBuilder()
            .setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(4)).build()));
        assertEquals(new WatchOp.Progress(), WatchProtos.op(WatchRequest.newBuilder()
            .setProgressRequest(WatchProgressRequest.getDefaultInstance()).build()));
        assertEquals(new WatchOp.Unknown(), WatchProtos.op(WatchRequest.getDefaultInstance()));
    }

    private static long number(final Random random) {
        return random.nextBoolean() ? EDGES[random.nextInt(EDGES.length)] : random.nextLong() >>> random.nextInt(64);
    }

    private static KeyValue keyValue(final Random random) {
        final byte[] key = new byte[random.nextInt(200)];
        random.nextBytes(key);
        return new KeyValue(key, number(random), number(random), number(random), number(random),
            new byte[random.nextInt(10) == 0 ? random.nextInt(70_000) : random.nextInt(20)]);
    }
}
