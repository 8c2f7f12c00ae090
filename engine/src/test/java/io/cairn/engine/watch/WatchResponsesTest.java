package io.cairn.engine.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.mvcc.Change;
import io.cairn.engine.mvcc.KeyValue;
import io.cairn.engine.server.ResponseHeaders;
import io.cairn.engine.server.WatchProtos;
import io.cairn.etcd.api.etcdserverpb.WatchResponse;
import io.cairn.etcd.api.mvccpb.Event;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** etcd's fragmenting rules (on the server's protobuf encoding, as the hub uses it) and watch key ranges. */
class WatchResponsesTest {
    private static final long FRAGMENT_BYTES = 4_096;
    private static final WatchProtos PROTOS = new WatchProtos(new ResponseHeaders(1, 2, () -> 3));

    @Test
    void smallResponsesAndSingleEventsAreNotSplit() {
        final WatchReply small = reply(3, 100);
        assertEquals(List.of(small), fragments(small));
        final WatchReply oneHuge = reply(1, 10_000);
        assertEquals(List.of(oneHuge), fragments(oneHuge));
    }

    @Test
    void largeResponsesSplitIntoFragmentsThatKeepEveryEventInOrder() {
        final Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            final WatchReply reply = reply(2 + random.nextInt(30), 1 + random.nextInt(3_000));
            final WatchResponse whole = PROTOS.response(reply);
            final List<WatchResponse> parts = fragments(reply).stream().map(PROTOS::response).toList();
            final List<Event> events = new ArrayList<>();
            for (int i = 0; i < parts.size(); i++) {
                final WatchResponse part = parts.get(i);
                events.addAll(part.getEventsList());
                assertEquals(whole.getHeader(), part.getHeader());
                assertEquals(whole.getWatchId(), part.getWatchId());
                if (whole.getSerializedSize() >= FRAGMENT_BYTES) {
                    assertEquals(i < parts.size() - 1, part.getFragment(), "only the last fragment is final");
                    // etcd's rule: an event joins a fragment only while the fragment stays below the limit.
                    assertTrue(part.getEventsCount() == 1
                        || part.toBuilder().setFragment(true).build().getSerializedSize() < FRAGMENT_BYTES, part.toString());
                } else {
                    assertFalse(part.getFragment());
                }
            }
            assertEquals(whole.getEventsList(), events);
        }
    }

    @Test
    void rangesFollowEtcdsKeyRules() {
        assertTrue(WatchRange.of(bytes("a"), new byte[0]).contains(bytes("a")));
        assertFalse(WatchRange.of(bytes("a"), new byte[0]).contains(bytes("ab")));
        // etcd refuses empty keys in writes, so "\0" is the smallest key there is.
        assertTrue(WatchRange.of(new byte[0], new byte[] {0}).contains(new byte[] {0}), "\"\" to \\0 is every key");
        assertTrue(WatchRange.of(new byte[0], new byte[] {0}).contains(bytes("zzz")));
        assertTrue(WatchRange.of(bytes("b"), new byte[] {0}).contains(bytes("zzz")));
        assertFalse(WatchRange.of(bytes("b"), new byte[] {0}).contains(bytes("a")));
        assertTrue(WatchRange.of(bytes("a/"), bytes("a0")).contains(bytes("a/x")));
        assertFalse(WatchRange.of(bytes("a/"), bytes("a0")).contains(bytes("a0")));
        assertTrue(WatchRange.of(bytes("b"), bytes("a")).isEmpty());
        assertTrue(WatchRange.of(bytes("a"), bytes("a")).isEmpty());
        assertFalse(WatchRange.of(bytes("a"), new byte[] {0}).isEmpty());
        assertTrue(WatchRange.of(new byte[0], new byte[0]).contains(new byte[] {0}), "an empty key means \\0");
    }

    private static List<WatchReply> fragments(final WatchReply reply) {
        return Fragments.split(reply, PROTOS.bytes(reply), PROTOS, FRAGMENT_BYTES);
    }

    private static WatchReply reply(final int events, final int valueBytes) {
        final List<EncodedEvent> encoded = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            encoded.add(PROTOS.event(new Change(false,
                new KeyValue(bytes("key" + i), 2, 2 + i, 1, 0, new byte[valueBytes])), null));
        }
        return WatchReply.events(99, 3, encoded);
    }

    private static byte[] bytes(final String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
